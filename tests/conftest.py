"""Shared fixtures: Bengkulu's regions, one persona per role, and access to the real services."""

import os

import pytest
from django.db import connection

from programs.models import Branch, Region
from programs.services import regions_load
from rentan.models import User

REQUIRE_SERVICES = os.environ.get("RENTAN_REQUIRE_SERVICES") == "1"
PASSWORD = "sandi-uji-rentan-1"


def require(condition: bool, reason: str):
    """Skip a test whose real service is missing on a developer machine; in CI that is a failure."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"CI needs this service: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Production hashes static file names at collectstatic time; tests do not run collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Argon2 is deliberately slow; tests that create many users hash with MD5 (production is tested apart)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Provinsi Bengkulu's regions once per test database (the full table is loaded by its own test)."""
    with django_db_blocker.unblock():
        regions_load(only=("17",))


@pytest.fixture
def regions(db):
    """Bengkulu's regions; reloads them after a transactional test flushed the tables."""
    if not Region.objects.filter(code="17").exists():
        regions_load(only=("17",))


@pytest.fixture
def postgres(db):
    require(connection.vendor == "postgresql", "this test needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "this test needs Redis (set REDIS_URL)")
    return url


def make_user(username, role, *, region=None, branch=None, **extra) -> User:
    user = User(username=username, role=role, region_id=region, branch=branch, first_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def branch_bengkulu(regions) -> Branch:
    branch = Branch.objects.create(code="cabang-bengkulu", name="BPJS Ketenagakerjaan Cabang Bengkulu")
    branch.regions.set(["17.71", "17.09"])
    return branch


@pytest.fixture
def disnaker_provinsi(regions):
    return make_user("disnaker-provinsi", User.Role.DISNAKER, region="17")


@pytest.fixture
def disnaker_kota_bengkulu(regions):
    return make_user("disnaker-kota", User.Role.DISNAKER, region="17.71")


@pytest.fixture
def disnaker_kaur(regions):
    return make_user("disnaker-kaur", User.Role.DISNAKER, region="17.04")


@pytest.fixture
def disnaker_desa(regions):
    return make_user("disnaker-desa", User.Role.DISNAKER, region="17.71.05.1001")


@pytest.fixture
def bpjs_cabang(branch_bengkulu):
    return make_user("bpjs-cabang", User.Role.BPJS, branch=branch_bengkulu)


@pytest.fixture
def sekda(regions):
    return make_user("sekda", User.Role.PIMPINAN, region="17")


@pytest.fixture
def administrator(regions):
    return make_user("administrator", User.Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def inactive_user(regions):
    return make_user("nonaktif", User.Role.DISNAKER, region="17.71", is_active=False)


class WorkerProcess:
    """A real ``celery worker`` process on its own queue, using the test database and the real Redis."""

    def __init__(self, queue: str, env: dict, extra_args: tuple[str, ...] = (), log_path=None):
        self.queue = queue
        self.env = env
        self.extra_args = extra_args  # e.g. ("--include", "tests.some_tasks") for tasks only tests define
        self.log_path = log_path  # the worker's stderr (its log) goes here when set
        self.process = None

    def start(self):
        import subprocess
        import sys

        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "rentan",
                "worker",
                "-Q",
                self.queue,
                "-c",
                "1",
                "-P",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
                "-n",
                f"{self.queue}@%h",
                *self.extra_args,
            ],  # fmt: skip
            env=self.env,
            stderr=open(self.log_path, "ab") if self.log_path else None,  # noqa: SIM115 - the child keeps it
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        )
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except Exception:  # noqa: BLE001 - a stuck worker is killed, whatever went wrong
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def celery_worker_process(django_db_serialized_rollback, transactional_db, redis_url):
    """Start a worker that sees what the test commits (so use it with committed data, not in a rollback test).

    Serialized rollback puts back what migrations seeded (holidays, rates, occupations, benefit rules) after the
    flush that ends a transactional test, so later tests still find them.
    """
    worker = WorkerProcess(queue=worker_queue(), env=worker_env(redis_url)).start()
    yield worker
    worker.stop()


def worker_queue() -> str:
    import uuid

    return f"test-{uuid.uuid4().hex[:12]}"


def worker_env(redis_url: str) -> dict:
    """The environment of a worker process that uses the test database and the real Redis."""
    require(connection.vendor == "postgresql", "a worker in another process needs PostgreSQL")
    settings_dict = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
        f"/{settings_dict['NAME']}"
    )
    env["REDIS_URL"] = redis_url
    return env
