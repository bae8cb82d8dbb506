"""Writes from other systems follow the portal's own rules: the claim workflow table, the SLA clock, the BPJS reply."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from claims.models import AhliWaris, Claim, ClaimPayment, ClaimTransition
from claims.sla import sla_due_date
from participants.models import ImportBatch, Participant
from rentan.models import AuditEvent
from tests.api.conftest import token_client
from tests.claims.conftest import add_heir, attach_documents


def act(client, claim, **data):
    return client.post(f"/api/v1/claims/{claim.pk}/actions/", data, format="json")


@pytest.mark.django_db
def test_a_branch_system_moves_a_claim_through_the_workflow_to_payment(world, bpjs_cabang):
    client = token_client(bpjs_cabang)
    claim = world.kota.claim
    heir = add_heir(claim, AhliWaris.Relationship.JANDA, bank_account="1234567890")

    response = act(client, claim, action="verify", note="Berkas diterima dari cabang")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "VERIFIKASI"
    assert response.json()["timeline"][-1] == {
        "from_status": "DIAJUKAN",
        "to_status": "VERIFIKASI",
        "at": response.json()["timeline"][-1]["at"],
        "note": "Berkas diterima dari cabang",
    }
    # The file is not complete yet: the same refusal (and reasons) as the portal's button, as a 409.
    response = act(client, claim, action="mark_complete")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and response.json()["message"] == "Berkas belum lengkap."
    assert response.json()["errors"]["reasons"]

    attach_documents(claim, bpjs_cabang)
    complete_on = timezone.localdate() - datetime.timedelta(days=20)
    response = act(client, claim, action="mark_complete", on=complete_on.isoformat())
    assert response.status_code == 200
    claim.refresh_from_db()
    # The SLA clock starts as with the portal's button (JKM: 3 working days after the file is complete).
    assert claim.complete_on == complete_on and claim.due_on == sla_due_date(claim, complete_on)

    response = act(client, claim, action="approve")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "DISETUJUI" and Decimal(body["benefit_amount"]) == Decimal("42000000")
    assert [line["code"] for line in body["benefit_lines"]] == ["JKM_SEKALIGUS", "JKM_BERKALA_BULAN", "JKM_PEMAKAMAN"]
    assert all("PP" in line["rule_text"] for line in body["benefit_lines"])

    paid_on = timezone.localdate()
    response = act(client, claim, action="pay", paid_on=paid_on.isoformat(), reference="TRX-1", recipient=heir.pk)
    assert response.status_code == 200
    payment = ClaimPayment.objects.get(claim=claim)
    # Paid weeks after the due date: days late and the 1%-a-day compensation are recorded (PP 44/2015 Pasal 40).
    assert payment.late_days == (paid_on - claim.due_on).days > 0
    assert payment.late_compensation == Decimal("42000000") * payment.late_days / 100
    assert response.json()["late_days"] == payment.late_days
    assert list(ClaimTransition.objects.filter(claim=claim).values_list("to_status", flat=True)) == [
        "VERIFIKASI", "BERKAS_LENGKAP", "DISETUJUI", "DIBAYAR",
    ]  # fmt: skip
    assert AuditEvent.objects.filter(object_type="claims.Claim", object_id=str(claim.pk), action="update").count() == 4
    # Paying twice is refused by the workflow.
    response = act(client, claim, action="pay", paid_on=paid_on.isoformat(), reference="TRX-2", recipient=heir.pk)
    assert response.status_code == 409 and ClaimPayment.objects.filter(claim=claim).count() == 1


@pytest.mark.django_db
def test_a_step_out_of_order_is_refused_and_changes_nothing(world, bpjs_cabang):
    client = token_client(bpjs_cabang)
    response = act(client, world.kota.claim, action="approve")
    assert response.status_code == 409
    assert "Diajukan" in response.json()["message"]
    assert Claim.objects.get(pk=world.kota.claim.pk).status == Claim.Status.DIAJUKAN


@pytest.mark.django_db
def test_roles_follow_the_workflow_table(world, disnaker_kota_bengkulu, sekda):
    """Disnaker operators report claims but do not verify them; pimpinan change nothing."""
    for user in (disnaker_kota_bengkulu, sekda):
        response = act(token_client(user), world.kota.claim, action="verify")
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert Claim.objects.get(pk=world.kota.claim.pk).status == Claim.Status.DIAJUKAN


@pytest.mark.django_db
def test_bad_step_input_is_a_400_with_reasons(world, bpjs_cabang):
    client = token_client(bpjs_cabang)
    response = act(client, world.kota.claim, action="reject")
    assert response.status_code == 400 and response.json()["errors"] == {"reason": ["Alasan penolakan wajib diisi."]}
    response = act(client, world.kota.claim, action="terbang")
    assert response.status_code == 400 and "action" in response.json()["errors"]
    response = act(client, world.kota.claim, action="reject", reason="Bukan peserta")
    assert response.status_code == 200 and response.json()["rejection_reason"] == "Bukan peserta"


@pytest.mark.django_db
def test_a_payment_to_another_claims_heir_is_refused(world, bpjs_cabang, administrator):
    own, other = world.kota.claim, world.kaur.claim
    stranger = add_heir(other, AhliWaris.Relationship.JANDA)
    Claim.objects.filter(pk=own.pk).update(status=Claim.Status.DISETUJUI, benefit_amount=Decimal("42000000"))
    response = act(token_client(bpjs_cabang), own, action="pay", paid_on=timezone.localdate().isoformat(),
                   reference="TRX-9", recipient=stranger.pk)  # fmt: skip
    assert response.status_code == 400 and "recipient" in response.json()["errors"]
    assert not ClaimPayment.objects.exists()


@pytest.mark.django_db
def test_bpjs_reply_stores_kpj_numbers_through_the_portals_import(world, bpjs_cabang):
    client = token_client(bpjs_cabang)
    person = world.kota.participant
    rows = [
        {"nik": person.nik, "kpj": "12345678901", "membership_start": "2025-02-01", "status": "AKTIF"},
        {"nik": world.kaur.participant.nik, "kpj": "22222222222"},
    ]
    response = client.post("/api/v1/bpjs-replies/", {"program": world.kota.program.code, "rows": rows}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["rows_total"], body["rows_updated"], body["rows_refused"]) == ("DONE", 2, 1, 1)
    assert body["refused"] == [
        {
            "line": 2,
            "nik": world.kaur.participant.nik,
            "code": "not_in_list",
            "message": f"NIK ini tidak ada di daftar peserta program {world.kota.program.name} di wilayah Anda.",
        }
    ]
    person.refresh_from_db()
    assert (person.kpj, person.bpjs_membership_start, person.bpjs_status) == (
        "12345678901", datetime.date(2025, 2, 1), "AKTIF",
    )  # fmt: skip
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert batch.kind == ImportBatch.Kind.BPJS_REPLY and batch.created_by == bpjs_cabang
    # The same reply again changes nothing (the portal's import is idempotent).
    again = client.post("/api/v1/bpjs-replies/", {"program": world.kota.program.code, "rows": rows[:1]}, format="json")
    assert again.json()["rows_unchanged"] == 1 and again.json()["rows_updated"] == 0


@pytest.mark.django_db
def test_bpjs_reply_input_is_checked_before_anything_is_written(world, bpjs_cabang, sekda):
    client = token_client(bpjs_cabang)
    bad = {"program": world.kota.program.code, "rows": [{"nik": "12", "kpj": "abc"}]}
    response = client.post("/api/v1/bpjs-replies/", bad, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["rows"]["0"] == {
        "nik": ["NIK harus 16 digit angka."],
        "kpj": ["Nomor KPJ berisi 1 sampai 11 angka."],
    }
    assert not ImportBatch.objects.exists()
    ok = {"program": world.kota.program.code, "rows": [{"nik": world.kota.participant.nik, "kpj": "1"}]}
    assert token_client(sekda).post("/api/v1/bpjs-replies/", ok, format="json").status_code == 403
    assert Participant.objects.get(pk=world.kota.participant.pk).kpj == world.kota.participant.kpj
