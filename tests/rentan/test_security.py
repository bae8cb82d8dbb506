"""Hardening that every page relies on: password hashing, login throttling, CSP, session idle timeout."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from rentan.security import client_ip
from tests.conftest import PASSWORD
from tests.rentan.test_settings import run_settings


def test_production_hashes_passwords_with_argon2():
    result = run_settings({"DEBUG": "1"}, "print(s.PASSWORD_HASHERS[0])")
    assert result.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_are_made_and_checked(settings, disnaker_kota_bengkulu):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = disnaker_kota_bengkulu
    user.set_password("kata-sandi-panjang-1")
    assert user.password.startswith("argon2$")
    assert user.check_password("kata-sandi-panjang-1")


def failed_login(client, username, ip):
    return client.post(reverse("login"), {"username": username, "password": "salah"}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_one_username_from_one_address_only(
    client, disnaker_kota_bengkulu, disnaker_kaur, settings
):
    office = "10.1.2.3"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        failed_login(client, "disnaker-kota", office)

    locked = client.post(reverse("login"), {"username": "disnaker-kota", "password": PASSWORD}, REMOTE_ADDR=office)
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.text

    # A colleague behind the same NAT address still gets in.
    colleague = client.post(reverse("login"), {"username": "disnaker-kaur", "password": PASSWORD}, REMOTE_ADDR=office)
    assert colleague.status_code == 302
    assert colleague["Location"] == reverse("home")


def test_a_successful_login_resets_the_failure_count(client, disnaker_kota_bengkulu, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed_login(client, "disnaker-kota", "10.9.9.9")
    ok = client.post(reverse("login"), {"username": "disnaker-kota", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert ok.status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed_login(client, "disnaker-kota", "10.9.9.9")
    again = client.post(reverse("login"), {"username": "disnaker-kota", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert again.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "192.0.2.10"),  # no proxy configured: the header is ignored
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # one proxy: its entry, not the forged one on the left
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "", "192.0.2.10"),
    ],
)
def test_client_ip_trusts_only_our_own_proxies(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_pages_carry_a_content_security_policy_without_inline_script_or_other_origins(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "http" not in policy
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", response.text)


def test_sessions_expire_after_idle_time_and_are_renewed_while_used(client, disnaker_kota_bengkulu, settings):
    import datetime

    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    assert not settings.SESSION_SAVE_EVERY_REQUEST, "renewal is throttled by SessionRenewalMiddleware"
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    client.force_login(disnaker_kota_bengkulu)
    assert client.get(reverse("home")).status_code == 200
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # A request inside the renewal interval does not write the session again.
    soon_expiring = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.update(expire_date=soon_expiring)
    cache.clear()
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date == soon_expiring

    # Once the interval has passed, using the session renews it for a full idle timeout.
    settings.SESSION_RENEW_AFTER = 0
    assert client.get(reverse("home")).status_code == 200
    renewed = Session.objects.get().expire_date
    assert renewed > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # Idle longer than the timeout: the stored session has expired and the next page asks for a login.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    cache.clear()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
