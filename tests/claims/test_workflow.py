"""The claim workflow services: who may take which step, status guards, timeline, audit, SLA and payment."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from claims import services
from claims.models import AhliWaris, Claim, ClaimBenefitLine, ClaimPayment, ClaimTransition
from claims.services import ClaimActionRefused
from claims.sla import sla_state
from programs.models import Holiday
from rentan.models import AuditEvent
from tests.claims.conftest import D, add_heir, attach_documents, enrolled_participant, make_claim

S = Claim.Status
R = AhliWaris.Relationship


@pytest.fixture
def claim(branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1))
    claim = make_claim(participant, incident_date=D(2025, 2, 10))
    add_heir(claim, R.JANDA, bank_name="Bank Bengkulu", bank_account="1234567890")
    return claim


COMPLETE_ON = D(2025, 3, 3)


def complete(claim, officer, on=COMPLETE_ON):
    attach_documents(claim, officer)
    services.claim_verify(user=officer, claim=claim)
    return services.claim_mark_complete(user=officer, claim=claim, on=on)


def test_submit_records_the_claim_its_timeline_and_an_audit_row(disnaker_kota_bengkulu, branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1))

    claim = services.claim_submit(
        user=disnaker_kota_bengkulu,
        participant=participant,
        data={"type": Claim.Type.JKM, "incident_date": D(2025, 2, 10), "branch": branch_bengkulu, "cause": "Sakit"},
    )

    assert claim.status == S.DIAJUKAN
    assert claim.reported_by == disnaker_kota_bengkulu
    assert list(claim.transitions.values_list("from_status", "to_status")) == [("", S.DIAJUKAN)]
    assert AuditEvent.objects.filter(object_type="claims.Claim", object_id=str(claim.pk), action="create").exists()


def test_submit_refuses_a_participant_outside_the_users_region(disnaker_kaur, branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1))

    with pytest.raises(PermissionDenied):
        services.claim_submit(
            user=disnaker_kaur,
            participant=participant,
            data={"type": Claim.Type.JKM, "incident_date": D(2025, 2, 10), "branch": branch_bengkulu},
        )


def test_a_participant_cannot_have_two_death_claims(disnaker_kota_bengkulu, claim):
    with pytest.raises(ValidationError, match="sudah memiliki klaim kematian"):
        services.claim_submit(
            user=disnaker_kota_bengkulu,
            participant=claim.participant,
            data={"type": Claim.Type.JKM, "incident_date": D(2025, 2, 10), "branch": claim.branch},
        )


def test_a_jkk_claim_must_name_its_kind(disnaker_kota_bengkulu, claim):
    with pytest.raises(ValidationError) as error:
        services.claim_submit(
            user=disnaker_kota_bengkulu,
            participant=claim.participant,
            data={"type": Claim.Type.JKK, "incident_date": D(2025, 2, 10), "branch": claim.branch},
        )
    assert "jkk_kind" in error.value.message_dict


def test_disnaker_and_pimpinan_cannot_verify(disnaker_kota_bengkulu, sekda, claim):
    for user in (disnaker_kota_bengkulu, sekda):
        with pytest.raises(PermissionDenied):
            services.claim_verify(user=user, claim=claim)
    assert Claim.objects.get(pk=claim.pk).status == S.DIAJUKAN


def test_a_step_from_the_wrong_status_is_refused(bpjs_cabang, claim):
    with pytest.raises(ClaimActionRefused, match="langkah “Setujui” tidak dapat dilakukan"):
        services.claim_approve(user=bpjs_cabang, claim=claim)


def test_a_step_on_a_status_changed_by_someone_else_is_refused(bpjs_cabang, claim):
    stale = Claim.objects.get(pk=claim.pk)
    services.claim_reject(user=bpjs_cabang, claim=claim, reason="Bukan peserta")

    with pytest.raises(ClaimActionRefused, match="baru saja diubah oleh pengguna lain"):
        services.claim_verify(user=bpjs_cabang, claim=stale)
    assert Claim.objects.get(pk=claim.pk).status == S.DITOLAK


def test_marking_incomplete_names_the_missing_documents(bpjs_cabang, claim):
    services.claim_verify(user=bpjs_cabang, claim=claim)

    services.claim_mark_incomplete(user=bpjs_cabang, claim=claim)

    claim.refresh_from_db()
    assert claim.status == S.BERKAS_KURANG
    assert "AKTA_KEMATIAN" in claim.missing_documents
    assert "BUKU_NIKAH" in claim.missing_documents  # the heir is a janda
    assert "Akta/surat keterangan kematian" in claim.transitions.last().note


def test_the_file_cannot_be_complete_while_documents_are_missing(bpjs_cabang, claim):
    services.claim_verify(user=bpjs_cabang, claim=claim)

    with pytest.raises(ClaimActionRefused) as refused:
        services.claim_mark_complete(user=bpjs_cabang, claim=claim)
    assert "Belum diunggah: e-KTP ahli waris." in refused.value.messages


def test_a_jkm_claim_complete_on_a_friday_before_a_public_holiday_is_due_on_the_right_working_day(bpjs_cabang, claim):
    # Friday 13 September 2024; Monday 16 September 2024 is Maulid Nabi (libur nasional in the seeded table).
    assert Holiday.objects.get(date=D(2024, 9, 16)).kind == Holiday.Kind.LIBUR_NASIONAL
    claim.incident_date = D(2024, 9, 2)
    claim.save(update_fields=["incident_date"])

    complete(claim, bpjs_cabang, on=D(2024, 9, 13))

    # Not Wednesday 18 (3 working days without the holiday) but Thursday 19: Tue 17, Wed 18, Thu 19.
    assert claim.due_on == D(2024, 9, 19)
    assert Claim.objects.get(pk=claim.pk).due_on == D(2024, 9, 19)


def test_a_jkk_claim_gets_seven_working_days(bpjs_cabang, branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.STMB, stmb_months=2)

    complete(claim, bpjs_cabang, on=D(2024, 9, 13))

    assert claim.due_on == D(2024, 9, 25)


def test_approval_freezes_the_breakdown_and_refuses_an_ineligible_claim(bpjs_cabang, branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1), end=D(2024, 6, 1))
    ineligible = make_claim(participant, incident_date=D(2024, 8, 3))
    add_heir(ineligible, R.DUDA)
    complete(ineligible, bpjs_cabang)

    with pytest.raises(ClaimActionRefused) as refused:
        services.claim_approve(user=bpjs_cabang, claim=ineligible)

    assert "kepesertaan aktif pada bulan Agustus 2024" in " ".join(refused.value.messages)
    assert Claim.objects.get(pk=ineligible.pk).status == S.BERKAS_LENGKAP


def test_approval_stores_the_benefit_and_its_lines(bpjs_cabang, claim):
    complete(claim, bpjs_cabang)

    services.claim_approve(user=bpjs_cabang, claim=claim, note="Sesuai")

    claim.refresh_from_db()
    assert claim.status == S.DISETUJUI
    assert claim.benefit_amount == Decimal("42000000")
    assert list(ClaimBenefitLine.objects.filter(claim=claim).values_list("amount", flat=True)) == [
        Decimal("20000000"), Decimal("12000000"), Decimal("10000000"),
    ]  # fmt: skip


def test_reject_needs_a_reason(bpjs_cabang, claim):
    with pytest.raises(ValidationError):
        services.claim_reject(user=bpjs_cabang, claim=claim, reason="  ")

    services.claim_reject(user=bpjs_cabang, claim=claim, reason="Kematian di luar masa kepesertaan")
    assert Claim.objects.get(pk=claim.pk).rejection_reason == "Kematian di luar masa kepesertaan"


def test_payment_records_recipient_late_days_and_compensation(bpjs_cabang, claim):
    complete(claim, bpjs_cabang, on=D(2024, 9, 13))
    services.claim_approve(user=bpjs_cabang, claim=claim)
    janda = claim.heirs.get()

    payment = services.claim_pay(
        user=bpjs_cabang, claim=claim, paid_on=D(2024, 9, 23), reference="TRX-1", recipient=janda
    )

    assert payment.amount == Decimal("42000000")
    assert payment.recipient_name == janda.nama
    assert payment.bank_account == "1234567890"
    assert payment.late_days == 4  # due Thursday 19 September, paid Monday 23
    assert payment.late_compensation == Decimal("1680000")  # 1% × Rp42 jt × 4 days
    assert sla_state(Claim.objects.get(pk=claim.pk), today=D(2025, 1, 1)).late_days == 4
    timeline = list(claim.transitions.values_list("to_status", flat=True))
    assert timeline == [S.VERIFIKASI, S.BERKAS_LENGKAP, S.DISETUJUI, S.DIBAYAR]


def test_a_death_claim_is_paid_to_a_recorded_heir(bpjs_cabang, claim):
    complete(claim, bpjs_cabang)
    services.claim_approve(user=bpjs_cabang, claim=claim)

    with pytest.raises(ValidationError):
        services.claim_pay(user=bpjs_cabang, claim=claim, paid_on=D(2025, 3, 5), reference="TRX-1")


def test_a_claim_is_never_paid_twice_in_a_row(bpjs_cabang, claim):
    complete(claim, bpjs_cabang)
    services.claim_approve(user=bpjs_cabang, claim=claim)
    janda = claim.heirs.get()
    services.claim_pay(user=bpjs_cabang, claim=claim, paid_on=D(2025, 3, 5), reference="TRX-1", recipient=janda)

    again = Claim.objects.get(pk=claim.pk)
    again.status = S.DISETUJUI  # as if the page was opened before the first payment
    with pytest.raises(ClaimActionRefused):
        services.claim_pay(user=bpjs_cabang, claim=again, paid_on=D(2025, 3, 5), reference="TRX-2", recipient=janda)
    assert ClaimPayment.objects.filter(claim=claim).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_bayar_requests_on_one_claim_produce_exactly_one_payment(postgres, regions, bpjs_cabang):
    from django.contrib.messages import get_messages
    from django.test import Client

    participant = enrolled_participant(start=D(2024, 1, 1))
    claim = make_claim(
        participant,
        status=S.DISETUJUI,
        benefit_amount=Decimal("42000000"),
        complete_on=D(2025, 3, 3),
        due_on=D(2025, 3, 6),
    )
    janda = add_heir(claim, R.JANDA, bank_account="1234567890")
    clients = []
    for _ in range(10):
        officer_client = Client()
        officer_client.force_login(bpjs_cabang)
        clients.append(officer_client)
    start = threading.Barrier(10)
    statuses, said = [], []

    def press_bayar(officer_client):
        try:
            start.wait()
            response = officer_client.post(
                f"/klaim/{claim.pk}/bayar/",
                {"paid_on": "2025-03-05", "reference": "TRX-SAMA", "recipient": janda.pk},
            )
            statuses.append(response.status_code)
            said.extend(message.level_tag for message in get_messages(response.wsgi_request))
        finally:
            connection.close()

    threads = [threading.Thread(target=press_bayar, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [302] * 10  # every officer gets the claim page back, with a message
    assert sorted(said) == ["error"] * 9 + ["success"]
    assert ClaimPayment.objects.filter(claim=claim).count() == 1
    assert ClaimTransition.objects.filter(claim=claim, to_status=S.DIBAYAR).count() == 1
    assert Claim.objects.get(pk=claim.pk).status == S.DIBAYAR


def test_the_database_refuses_a_second_payment_row(bpjs_cabang, claim):
    from django.db import IntegrityError, transaction

    ClaimPayment.objects.create(
        claim=claim, amount=1, paid_on=D(2025, 3, 5), reference="A", recipient_name="x", paid_by=bpjs_cabang
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimPayment.objects.create(
            claim=claim, amount=1, paid_on=D(2025, 3, 5), reference="B", recipient_name="x", paid_by=bpjs_cabang
        )


def test_an_unpaid_claim_past_its_due_date_accrues_compensation(bpjs_cabang, claim):
    complete(claim, bpjs_cabang, on=D(2024, 9, 13))
    services.claim_approve(user=bpjs_cabang, claim=claim)

    state = sla_state(Claim.objects.get(pk=claim.pk), today=D(2024, 9, 21))

    assert (state.due_on, state.late_days, state.compensation) == (D(2024, 9, 19), 2, Decimal("840000"))


def test_heirs_and_documents_are_frozen_once_the_file_is_complete(disnaker_kota_bengkulu, bpjs_cabang, claim):
    complete(claim, bpjs_cabang)

    with pytest.raises(PermissionDenied):
        services.heir_add(
            user=disnaker_kota_bengkulu,
            claim=claim,
            data={"nama": "Anak", "nik": "1771054506100001", "relationship": R.ANAK, "tanggal_lahir": D(2010, 6, 5)},
        )


def test_heir_audit_keeps_only_the_masked_account(disnaker_kota_bengkulu, claim):
    heir = services.heir_add(
        user=disnaker_kota_bengkulu,
        claim=claim,
        data={
            "nama": "Anak",
            "nik": "1771050506100001",
            "relationship": R.ANAK,
            "tanggal_lahir": D(2010, 6, 5),
            "bank_account": "9988776655",
        },
    )

    event = AuditEvent.objects.get(object_type="claims.AhliWaris", object_id=str(heir.pk))
    assert event.changes["bank_account"] == [None, "•••• 6655"]
    assert "9988776655" not in str(event.changes)


def test_timeline_rows_name_who_and_when(bpjs_cabang, claim):
    before = timezone.now()
    services.claim_verify(user=bpjs_cabang, claim=claim, note="Mulai")

    row = claim.transitions.get()
    assert (row.from_status, row.to_status, row.by, row.note) == (S.DIAJUKAN, S.VERIFIKASI, bpjs_cabang, "Mulai")
    assert before <= row.at <= timezone.now() + datetime.timedelta(seconds=1)


def test_the_database_refuses_a_second_open_death_claim_but_allows_one_after_a_rejection(bpjs_cabang, claim):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_claim(claim.participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL)

    services.claim_reject(user=bpjs_cabang, claim=claim, reason="Salah peserta")
    again = make_claim(claim.participant)
    assert again.status == S.DIAJUKAN
