"""A list import in real headless Chromium with a real Celery worker: upload → preview → confirm → progress → done."""

import re

import pytest

from programs.models import Occupation
from tests.conftest import PASSWORD
from tests.factories import ProgramFactory
from tests.participants.conftest import person, write_csv
from tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401 - the page fixture

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker, pytest.mark.slow]
ROWS = 4000


@pytest.fixture
def shared_media(tmp_path, monkeypatch, settings):
    """Uploads land where the worker process looks (it inherits the environment when it starts)."""
    folder = tmp_path / "private"
    folder.mkdir()
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(folder))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }
    return folder


@pytest.fixture
def worker_queue(celery_worker_process):
    """Send this test's tasks to this test's worker."""
    from rentan.celery import app

    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, celery_worker_process.queue
    yield celery_worker_process.queue
    app.conf.task_always_eager, app.conf.task_default_queue = previous


@pytest.fixture
def program(regions):
    """Made before Playwright starts: the ORM is not used once it runs (see tests/test_browser.py)."""
    # A transactional test starts from empty tables: the seeded categories are created again.
    for code, name in (("nelayan", "Nelayan"), ("petani", "Petani/buruh tani")):
        Occupation.objects.get_or_create(code=code, defaults={"name": name})
    return ProgramFactory(code="nelayan-kota", name="Nelayan Kota Bengkulu", owner_region_id="17.71")


def test_upload_preview_confirm_progress_done(
    shared_media,
    worker_queue,
    program,
    disnaker_kota_bengkulu,
    live_server,
    page,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    from playwright.sync_api import expect

    rows = [person(number) for number in range(1, ROWS + 1)]
    rows[9]["Tgl Lahir"] = "31/02/1990"
    rows[19]["Kode Desa"] = "17.04.01.2001"
    path = write_csv(tmp_path / "Daftar Nelayan Kota.csv", rows)
    polled = []
    page.on("request", lambda request: polled.append(request.url) if "/status/" in request.url else None)

    log_in(page, live_server, disnaker_kota_bengkulu.username, PASSWORD)
    page.goto(f"{live_server.url}/peserta/")
    page.get_by_role("link", name="Impor daftar").click()
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_program", label=f"{program.name}")
    page.fill("#id_start_month", "2025-04")
    page.get_by_role("button", name="Unggah dan periksa").click()

    expect(page).to_have_url(re.compile(r"/peserta/impor/\d+/$"))
    expect(page.get_by_test_id("import-preview")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("count-new")).to_have_text(f"{ROWS - 2:,}".replace(",", "."))
    expect(page.get_by_test_id("count-refused")).to_have_text("2")
    expect(page.get_by_test_id("preview-refused")).to_contain_text("di luar wilayah Anda")
    expect(page.get_by_test_id("report-link")).to_be_visible(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "import-preview.png"), full_page=True)

    page.get_by_test_id("confirm").click()
    status = page.get_by_test_id("import-status")
    expect(status).to_have_attribute("data-status", re.compile("RUNNING|DONE"))
    expect(page.get_by_test_id("import-done")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("import-done")).to_contain_text(f"{ROWS - 2:,}".replace(",", ".") + " peserta baru")
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)
    assert polled, "the page never polled the import's progress"

    with page.expect_download() as download:
        page.get_by_test_id("report-link").click()
    assert download.value.suggested_filename == "Daftar Nelayan Kota-ditolak.xlsx"

    page.goto(f"{live_server.url}/peserta/?program=nelayan-kota")
    expect(page.get_by_test_id("participant-count")).to_contain_text(f"{ROWS - 2:,}".replace(",", "."))
