"""Sensitive reads are audited like writes, and audit_user_access (UU 27/2022 Pasal 46) lists them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participants.models import ImportBatch
from rentan.audit import audit_read
from rentan.models import AuditEvent
from tests.factories import ClaimFactory, EnrolmentFactory, ParticipantFactory, ProgramFactory
from tests.participants.conftest import person, write_csv

pytestmark = pytest.mark.usefixtures("regions")


def accessed(capsys, username) -> list[tuple[str, str]]:
    today = timezone.localdate().isoformat()
    call_command("audit_user_access", "--user", username, "--from", today, "--to", today, "--json")
    return [(e["action"], e["object_type"]) for e in json.loads(capsys.readouterr().out)["events"]]


def test_what_a_bpjs_officer_saw_and_downloaded_is_listed_for_breach_notification(
    client, capsys, bpjs_cabang, branch_bengkulu
):
    participant = ParticipantFactory(desa_id="17.71.05.1001")
    program = ProgramFactory(owner_region_id="17.71")
    EnrolmentFactory(participant=participant, program=program)
    claim = ClaimFactory(participant=participant, branch=branch_bengkulu)
    client.force_login(bpjs_cabang)

    client.get(reverse("participants:detail", args=[participant.pk]))
    client.post(reverse("participants:reveal_nik", args=[participant.pk]), {"reason": "Cocokkan dengan KTP asli"})
    b"".join(client.get(reverse("participants:export", args=["csv"])).streaming_content)
    b"".join(client.get(reverse("participants:bpjs_registration", args=[program.code])).streaming_content)
    client.get(reverse("claims:detail", args=[claim.pk]))

    assert accessed(capsys, "bpjs-cabang") == [
        ("view", "participants.Participant"),
        ("reveal", "participants.Participant"),
        ("export", "participants.participant_list"),
        ("export", "participants.bpjs_registration"),
        ("view", "claims.Claim"),
    ]
    reveal = AuditEvent.objects.get(action="reveal")
    assert reveal.region_code == "17.71.05.1001" and reveal.reason == "Cocokkan dengan KTP asli"


def test_an_upload_its_confirmation_and_its_refused_rows_are_listed(
    client, capsys, disnaker_kota_bengkulu, tmp_path, settings, django_capture_on_commit_callbacks
):
    from rentan.celery import app

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    program = ProgramFactory(owner_region_id="17.71")
    rows = [person(1), {**person(2), "Tgl Lahir": "31/02/1980"}]
    content = write_csv(tmp_path / "daftar.csv", rows).read_bytes()
    client.force_login(disnaker_kota_bengkulu)
    previous, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("participants:import_list"), {"file": SimpleUploadedFile("daftar.csv", content),
                        "program": program.pk, "mode": "SKIP_BAD_ROWS", "data_source": "LAINNYA"})  # fmt: skip
        batch = ImportBatch.objects.get()
        client.get(reverse("participants:import_report", args=[batch.pk]))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("participants:import_confirm", args=[batch.pk]))
    finally:
        app.conf.task_always_eager = previous

    assert accessed(capsys, "disnaker-kota") == [
        ("import", "participants.ImportBatch"),  # uploaded and checked
        ("export", "participants.import_report"),
        ("import", "participants.ImportBatch"),  # confirmed
        ("import", "participants.ImportBatch"),  # written (the worker records what changed)
    ]
    assert ImportBatch.objects.get().status == ImportBatch.Status.DONE


def test_audit_read_takes_a_label_for_lists_and_files(disnaker_kota_bengkulu, rf):
    request = rf.get("/")
    request.user = disnaker_kota_bengkulu
    event = audit_read(request, "monitoring.report", action="download", detail="laporan 2026-05 17.71")
    assert (event.object_type, event.object_repr, event.region_code) == (
        "monitoring.report",
        "laporan 2026-05 17.71",
        "17.71",
    )
    assert event.changes == {"detail": "laporan 2026-05 17.71"}
    # From a command or task, the user stands in for the request.
    assert audit_read(disnaker_kota_bengkulu, "x.y").user == disnaker_kota_bengkulu
