"""Data subject access (UU 27/2022 Pasal 32): everything held about one NIK and the log of its processing."""

import datetime
import io
import json
import time

import pytest
from django.core.management import call_command
from django.urls import reverse

from claims.models import AhliWaris
from participants.models import ImportBatch, ImportIssue
from rentan.models import AuditEvent
from tests.factories import ClaimFactory, EnrolmentFactory, ParticipantFactory, ProgramFactory, nik_for

pytestmark = pytest.mark.usefixtures("regions")

PHONE = "081377700123"
ACCOUNT = "5550001112223"


@pytest.fixture
def subject(client, branch_bengkulu, bpjs_cabang, disnaker_kota_bengkulu):
    """A participant with an enrolment, a claim with heirs, a refused import row, who is also someone else's heir;
    seen and revealed through the pages (audited)."""
    person = ParticipantFactory(nama="Subjek Kanari Data", no_hp=PHONE, desa_id="17.71.05.1001")
    program = ProgramFactory(owner_region_id="17.71")
    EnrolmentFactory(participant=person, program=program)
    claim = ClaimFactory(participant=person, branch=branch_bengkulu)
    born = datetime.date(2003, 4, 5)
    heir_nik = nik_for("17.71.05.1001", born, "L", 88)
    AhliWaris.objects.create(
        claim=claim,
        nama="Anak Subjek Kanari",
        nik=heir_nik,
        relationship=AhliWaris.Relationship.ANAK,
        tanggal_lahir=born,
        bank_account=ACCOUNT,
    )
    # In another family's claim the same person is the heir.
    other = ClaimFactory(participant=ParticipantFactory(nama="Orang Lain Contoh"), branch=branch_bengkulu)
    AhliWaris.objects.create(claim=other, nama=person.nama, nik=person.nik, relationship=AhliWaris.Relationship.ANAK,
                             tanggal_lahir=person.tanggal_lahir)  # fmt: skip
    batch = ImportBatch.objects.create(program=program, file_name="daftar-kanari.csv", source_path="daftar-kanari.csv",
                                       created_by=disnaker_kota_bengkulu)  # fmt: skip
    ImportIssue.objects.create(batch=batch, line=7, severity=ImportIssue.Severity.REFUSED, code="bad_date",
                               message="Tanggal lahir tidak ada di kalender.", nik=person.nik)  # fmt: skip
    ParticipantFactory(nama="Tetangga Tidak Terkait", desa_id="17.71.05.1001")
    client.force_login(bpjs_cabang)
    client.get(reverse("participants:detail", args=[person.pk]))
    client.post(reverse("participants:reveal_nik", args=[person.pk]), {"reason": "Verifikasi ahli waris di loket"})
    client.logout()
    return person, claim, other, batch


def test_the_command_writes_everything_held_about_one_nik_with_its_audit_log(subject, tmp_path, administrator):
    person, claim, other, batch = subject
    output = tmp_path / "dsar.json"
    started = time.monotonic()
    call_command("data_subject_access", person.nik, "--output", str(output), "--user", "administrator",
                 "--reason", "Surat permohonan 12/2026")  # fmt: skip
    seconds = time.monotonic() - started
    report = json.loads(output.read_text(encoding="utf-8"))
    data = report["data"]

    assert [row["nama"] for row in data["participants.Participant"]] == [person.nama]
    assert data["participants.Participant"][0]["no_hp"] == PHONE
    assert [row["program_id"] for row in data["participants.Enrolment"]] == [
        claim.participant.enrolments.get().program_id
    ]
    assert {row["id"] for row in data["claims.Claim"]} == {claim.pk}  # own claim, walked from the participant
    heirs = {row["nama"]: row for row in data["claims.AhliWaris"]}
    assert heirs["Anak Subjek Kanari"]["bank_account"] == ACCOUNT  # the heirs of the person's claim
    assert heirs[person.nama]["claim_id"] == other.pk  # and where the person is someone's heir
    assert [row["line"] for row in data["participants.ImportIssue"]] == [7]
    assert "Tetangga Tidak Terkait" not in output.read_text(encoding="utf-8")

    log = report["jejak_audit"]
    actions = {(event["tindakan"], event["jenis_data"]) for event in log}
    assert ("view", "participants.Participant") in actions
    assert ("view", "claims.Claim") not in actions  # nobody opened the claim page
    reveal = next(event for event in log if event["tindakan"] == "reveal")
    assert (reveal["pengguna"], reveal["alasan"]) == ("bpjs-cabang", "Verifikasi ahli waris di loket")
    assert seconds < 5

    # The request itself is audited, without the NIK; a second request lists the first.
    request = AuditEvent.objects.get(action="dsar")
    assert (request.user.username, request.reason) == ("administrator", "Surat permohonan 12/2026")
    assert person.nik not in json.dumps([request.object_id, request.object_repr, request.changes])
    call_command("data_subject_access", person.nik, "--output", str(output))
    again = json.loads(output.read_text(encoding="utf-8"))
    assert [e["tindakan"] for e in again["jejak_audit"]].count("dsar") == 1


def test_the_xlsx_has_one_sheet_per_kind_of_data_and_the_audit_log(subject, tmp_path):
    from openpyxl import load_workbook

    person, *_rest = subject
    output = tmp_path / "dsar.xlsx"
    call_command("data_subject_access", person.nik, "--output", str(output))
    workbook = load_workbook(output, read_only=True)
    assert {"participants.Participant", "claims.AhliWaris", "jejak_audit"} <= set(workbook.sheetnames)
    cells = [str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert person.nik in cells  # as text, all 16 digits
    assert person.nama in cells and ACCOUNT in cells


def test_a_malformed_nik_is_refused(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="16 digit"):
        call_command("data_subject_access", "12345")


def test_the_admin_action_downloads_the_report_of_one_participant(subject, client, administrator):
    from openpyxl import load_workbook

    person, *_rest = subject
    client.force_login(administrator)
    response = client.post(
        reverse("admin:participants_participant_changelist"),
        {"action": "subject_access_download", "_selected_action": [person.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [str(v) for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert person.nama in cells and PHONE in cells
    assert "reveal" in cells  # the audit log of its processing
    assert AuditEvent.objects.filter(action="dsar", user=administrator).count() == 1

    two = client.post(
        reverse("admin:participants_participant_changelist"),
        {"action": "subject_access_download", "_selected_action": [person.pk, person.pk + 1]},
        follow=True,
    )
    assert "Pilih tepat satu orang" in two.text
