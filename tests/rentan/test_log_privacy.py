"""No personal data in the logs: the usual failure paths run with a canary participant, every logger at DEBUG,
and the configured handler's output is scanned for the canary's NIK, name, phone and bank account."""

import datetime
import io
import logging

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from claims.models import AhliWaris
from participants.models import Participant
from rentan.log_privacy import PersonalDataFilter, redact
from tests.factories import ClaimFactory, ParticipantFactory, ProgramFactory, nik_for
from tests.participants.conftest import HEADER, write_csv

pytestmark = pytest.mark.usefixtures("regions")

NAME = "Kanari Sutejo Lognama"
PHONE = "081355501234"
ACCOUNT = "7001234567890"
HEIR_NAME = "Kanari Ahliwaris Lognama"


@pytest.fixture
def canary(branch_bengkulu):
    return make_canary(branch_bengkulu)


def make_canary(branch_bengkulu):
    person = ParticipantFactory(nama=NAME, no_hp=PHONE, desa_id="17.71.05.1001", alamat="Jl. Kanari 7")
    claim = ClaimFactory(participant=person, branch=branch_bengkulu)
    heir = AhliWaris.objects.create(
        claim=claim,
        nama=HEIR_NAME,
        nik=nik_for("17.71.05.1001", datetime.date(2001, 2, 3), "P", 77),
        relationship=AhliWaris.Relationship.ANAK,
        tanggal_lahir=datetime.date(2001, 2, 3),
        bank_name="Bank Contoh",
        bank_account=ACCOUNT,
    )
    return person, heir


@pytest.fixture
def captured_logs():
    """The configured console handler (the one with the personal-data filter) writing into a buffer; every logger
    at DEBUG while the test runs."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "the root logger's handler must carry PersonalDataFilter (settings.LOGGING)"
    buffer = io.StringIO()
    previous_streams = [handler.setStream(buffer) for handler in handlers]
    loggers = [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    yield buffer
    for logger, level in levels:
        logger.setLevel(level)
    for handler, stream in zip(handlers, previous_streams, strict=True):
        handler.setStream(stream)


def secrets(person, heir) -> list[str]:
    return [person.nik, person.nama, PHONE, ACCOUNT, heir.nik, HEIR_NAME]


# --- a view with a bug, and a task with one ------------------------------------------------------------------------
def buggy_participant_view(request, pk):
    """Registers the participant a second time: PostgreSQL refuses and names the NIK in its error detail."""
    person = Participant.objects.get(pk=pk)
    with transaction.atomic():
        Participant.objects.create(
            nik=person.nik,
            nama=person.nama,
            tanggal_lahir=person.tanggal_lahir,
            jenis_kelamin=person.jenis_kelamin,
            desa_id=person.desa_id,
            pekerjaan_id=person.pekerjaan_id,
            no_hp=person.no_hp,
        )
    return HttpResponse("tidak sampai di sini")


urlpatterns = [path("rusak/<int:pk>/", buggy_participant_view)]


# --- the tests -------------------------------------------------------------------------------------------------
@pytest.mark.urls("tests.rentan.test_log_privacy")
def test_a_500_with_the_nik_in_the_database_error_logs_no_personal_data(canary, captured_logs, postgres):
    person, heir = canary
    client = Client(raise_request_exception=False)
    response = client.get(f"/rusak/{person.pk}/")
    assert response.status_code == 500
    logged = captured_logs.getvalue()
    assert "Internal Server Error: /rusak/" in logged and "IntegrityError" in logged
    assert "Key (nik)=(disamarkan) already exists" in logged
    assert not [value for value in secrets(person, heir) if value in logged]


@pytest.fixture
def logging_worker(django_db_serialized_rollback, transactional_db, redis_url, tmp_path):
    """A real worker at DEBUG that also loads the buggy task, its log (stderr) going to a file."""
    from tests.conftest import WorkerProcess, worker_env, worker_queue

    env = worker_env(redis_url) | {"LOG_LEVEL": "DEBUG"}
    log = tmp_path / "worker.log"
    worker = WorkerProcess(worker_queue(), env, ("--include", "tests.rentan.log_canary_tasks"), log_path=log)
    yield worker.start(), log
    worker.stop()


@pytest.mark.celery_worker
def test_a_failing_celery_task_logs_no_personal_data(logging_worker, branch_bengkulu):
    from tests.rentan.log_canary_tasks import heir_account_bug

    worker, log = logging_worker
    person, heir = make_canary(branch_bengkulu)  # committed: the worker is another process
    result = heir_account_bug.apply_async((heir.pk, ACCOUNT), queue=worker.queue)
    with pytest.raises(Exception, match="violates check constraint") as raised:
        result.get(timeout=90, propagate=True)
    assert HEIR_NAME in str(raised.value)  # the error itself carries the row: the filter keeps it out of the log
    worker.stop()  # flushes the log
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "raised unexpected" in logged and "Failing row contains (disamarkan)" in logged
    assert not [value for value in secrets(person, heir) if value in logged]


def test_an_import_with_a_bad_row_logs_no_personal_data(canary, captured_logs, tmp_path, disnaker_kota_bengkulu):
    from participants import services

    person, heir = canary
    bad = {
        "No": "1",
        "NIK": person.nik,
        "Nama Lengkap": person.nama,
        "Tgl Lahir": "31/02/1985",  # no such day: the row is refused
        "L/P": "L",
        "Kode Desa": person.desa_id,
        "Pekerjaan": "Nelayan",
        "No. HP": PHONE,
    }
    good = {**bad, "No": "2", "NIK": nik_for("17.71.05.1001", datetime.date(1990, 1, 2), "L", 55), "Nama Lengkap":
            "Peserta Baik", "Tgl Lahir": "02/01/1990", "No. HP": ""}  # fmt: skip
    program = ProgramFactory(owner_region_id="17.71")
    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu,
        program=program,
        source_path=write_csv(tmp_path / "daftar.csv", [bad, good], header=HEADER),
        file_name="daftar.csv",
        enqueue=False,
    )
    batch = services.import_batch_validate(batch_id=batch.pk)
    assert batch.rows_refused == 1
    logged = captured_logs.getvalue()
    assert f"Import {batch.pk} checked" in logged
    assert not [value for value in secrets(person, heir) if value in logged]


def test_the_worker_logs_through_the_same_filtered_configuration():
    """Celery would replace the root handlers in a worker; rentan.celery hands logging to settings.LOGGING."""
    from celery.signals import setup_logging

    from rentan.celery import use_django_logging

    assert any(receiver() is use_django_logging for _key, receiver in setup_logging.receivers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIK 1771051506850001 ditolak", "NIK 1771••••••••0001 ditolak"),
        ("rekening 7001234567890, hp 081355501234", "rekening •••••••••7890, hp ••••••••1234"),
        ("DETAIL:  Key (nik)=(1771051506850001) already exists.", "DETAIL:  Key (nik)=(disamarkan) already exists."),
        ("DETAIL:  Failing row contains (7, Budi, 081355501234).", "DETAIL:  Failing row contains (disamarkan)"),
        ("batch 42 at 2025-07-01 12:00:00", "batch 42 at 2025-07-01 12:00:00"),
    ],
)
def test_redact_masks_numbers_and_database_rows(text, expected):
    assert redact(text) == expected


def test_the_access_log_of_the_image_has_no_query_strings_nor_referers():
    """gunicorn's own access log bypasses Python logging: its format (Dockerfile) leaves searches (?q=NIK) out."""
    import datetime as dt
    import re
    from pathlib import Path
    from types import SimpleNamespace

    from django.conf import settings
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    dockerfile = (Path(settings.BASE_DIR) / "Dockerfile").read_text(encoding="utf-8")
    fmt = re.search(r'"--access-logformat", "([^"]+)"', dockerfile).group(1)
    config = Config()
    config.set("access_log_format", fmt)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/peserta/",
        "QUERY_STRING": "q=1771051506850001",
        "RAW_URI": "/peserta/?q=1771051506850001",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://rentan.example/klaim/baru/?q=Kanari+Sutejo",
    }
    response = SimpleNamespace(status="200 OK", sent=512, response_length=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    line = fmt % Logger(config).atoms(response, request, environ, dt.timedelta(milliseconds=40))
    assert "GET /peserta/ 200" in line
    assert "1771051506850001" not in line and "Kanari" not in line
