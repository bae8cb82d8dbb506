"""The embedded default (`make run`): SQLite, inline Celery, regions and demo data, one login per role."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rentan.demo import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]

LOGIN_EVERY_DEMO_USER = """
import django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
for username in {usernames!r}:
    client = Client()
    response = client.post("/masuk/", {{"username": username, "password": {password!r}}}, follow=True)
    page = response.content.decode()
    print(username, response.status_code, "Selamat datang" in page)
"""


def manage(db_path: Path, *args: str, code: str | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DEBUG": "1", "DATABASE_URL": f"sqlite:///{db_path}"}
    command = [sys.executable, "-c", code] if code else [sys.executable, "manage.py", *args]
    env["DJANGO_SETTINGS_MODULE"] = "rentan.settings"
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.slow
def test_embedded_default_sets_up_seeds_and_lets_every_demo_account_log_in(tmp_path):
    db_path = tmp_path / "demo.sqlite3"
    manage(db_path, "migrate", "--noinput", "-v0")
    manage(db_path, "load_regions", "--provinsi", "17")
    first = manage(db_path, "seed_demo", "--participants", "400")
    assert "Data demo dibuat" in first.stdout
    for username, *_ in DEMO_USERS:
        assert username in first.stdout
    assert DEMO_PASSWORD in first.stdout

    again = manage(db_path, "seed_demo", "--participants", "400")
    assert "Data demo sudah ada; tidak ada yang diubah." in again.stdout

    usernames = [username for username, *_ in DEMO_USERS]
    logins = manage(db_path, code=LOGIN_EVERY_DEMO_USER.format(usernames=usernames, password=DEMO_PASSWORD))
    assert logins.stdout.split("\n")[:-1] == [f"{username} 200 True" for username in usernames]
