"""Real headless Chromium against the live server: log in, see the home page, log out; no asset from a CDN."""

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(django_db_serialized_rollback, live_server, monkeypatch):
    """A fresh Chromium page. Tests request their users before it: the ORM is not used once Playwright runs.

    The cookies stay Secure as in production (DEBUG off): Chromium counts http://localhost as a secure origin.
    """
    require(os.path.exists(CHROMIUM), f"this test needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls made from it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")


def test_login_home_logout(disnaker_kota_bengkulu, live_server, page):
    from playwright.sync_api import expect

    log_in(page, live_server, disnaker_kota_bengkulu.username, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selamat datang")
    expect(page.get_by_test_id("scope")).to_have_text("Kota Bengkulu")
    expect(page.locator("nav")).to_contain_text("Peserta")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-home.png"), full_page=True)

    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/masuk/$"))
    expect(page.get_by_role("heading", name="Masuk ke Rentan")).to_be_visible()


def test_wrong_password_stays_on_login(disnaker_kota_bengkulu, live_server, page):
    from playwright.sync_api import expect

    log_in(page, live_server, disnaker_kota_bengkulu.username, "bukan-kata-sandinya")

    expect(page).to_have_url(re.compile(r"/masuk/$"))
    expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi salah")
    expect(page.get_by_test_id("scope")).to_have_count(0)


def test_assets_come_from_the_app(disnaker_kota_bengkulu, live_server, page):
    from playwright.sync_api import expect

    requested = []
    page.on("request", lambda request: requested.append(request.url))
    responses = {}
    page.on("response", lambda response: responses.__setitem__(response.url, response.status))

    log_in(page, live_server, disnaker_kota_bengkulu.username, PASSWORD)
    expect(page.get_by_test_id("scope")).to_have_text("Kota Bengkulu")
    page.wait_for_load_state("networkidle")

    assert requested
    foreign = [url for url in requested if not url.startswith(live_server.url)]
    assert foreign == [], f"requests that left the app: {foreign}"

    bootstrap = [url for url in responses if re.search(r"/static/vendor/bootstrap/bootstrap\.min\.[^/]*css$", url)]
    assert bootstrap, f"the page did not request Bootstrap's CSS: {sorted(responses)}"
    assert all(responses[url] == 200 for url in bootstrap), {url: responses[url] for url in bootstrap}
    static = {url: status for url, status in responses.items() if url.startswith(f"{live_server.url}/static/")}
    assert {url: status for url, status in static.items() if status != 200} == {}
    # The stylesheet really applied: Bootstrap's navbar is a flex container.
    assert page.locator("nav.navbar").evaluate("el => getComputedStyle(el).display") == "flex"


@pytest.fixture
def wanted(django_db_serialized_rollback, transactional_db, disnaker_kota_bengkulu):
    """The participant searched for, and another one. Created before ``page``: an ORM call made while Playwright's
    event loop runs opens a connection of its own that nothing closes (it held the test database open at the end)."""
    from tests.factories import ParticipantFactory

    ParticipantFactory(nama="Bukan Yang Dicari", desa_id="17.71.05.1001")
    return ParticipantFactory(nama="Sutejo Dicari", desa_id="17.71.05.1001")


def test_searching_a_nik_keeps_it_out_of_the_address_bar(disnaker_kota_bengkulu, wanted, live_server, page):
    """Typing a NIK filters the list without a reload (HTMX POST → redirect) and the URL shows only a token."""
    from playwright.sync_api import expect

    requested = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, live_server, disnaker_kota_bengkulu.username, PASSWORD)
    page.goto(f"{live_server.url}/peserta/")
    expect(page.locator("#participant-table")).to_contain_text("Bukan Yang Dicari")

    page.fill("#id_q", wanted.nik)

    expect(page.locator("#participant-table")).not_to_contain_text("Bukan Yang Dicari")
    expect(page.locator("#participant-table")).to_contain_text("Sutejo Dicari")
    expect(page).to_have_url(re.compile(r"/peserta/\?cari="))
    assert wanted.nik not in page.url
    assert not [url for url in requested if wanted.nik[:6] in url.split("/", 3)[-1]], requested
    page.reload()  # the token survives a reload: the same filtered list, the box still filled in
    expect(page.locator("#participant-table")).not_to_contain_text("Bukan Yang Dicari")
    expect(page.locator("#id_q")).to_have_value(wanted.nik)
