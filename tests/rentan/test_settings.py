import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def run_settings(env: dict, code: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly ``env`` (plus PATH) and run ``code``."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "rentan.settings", **env}
    script = f"import django; django.setup(); from django.conf import settings as s; {code}"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_language_and_time_zone_are_indonesian():
    assert settings.LANGUAGE_CODE == "id"
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.USE_TZ


def test_tests_run_with_debug_off():
    assert settings.DEBUG is False


def test_embedded_default_is_sqlite_with_inline_celery():
    result = run_settings(
        {"DEBUG": "1"},
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_database_and_redis_urls_select_postgresql_and_a_real_broker():
    result = run_settings(
        {
            "DEBUG": "1",
            "DATABASE_URL": "postgres://rentan:rahasia@db.example:5432/rentan",
            "REDIS_URL": "redis://cache.example:6379/1",
        },
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], "
        "s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example",
        "redis://cache.example:6379/1",
        "False",
    ]


def test_debug_is_off_unless_asked_and_then_a_secret_key_is_required():
    result = run_settings({}, "print(s.DEBUG)")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_are_secure():
    result = run_settings(
        {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "rentan.example.go.id"},
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True", "['rentan.example.go.id']"]


def test_beat_schedule_is_in_settings():
    assert "heartbeat" in settings.CELERY_BEAT_SCHEDULE
