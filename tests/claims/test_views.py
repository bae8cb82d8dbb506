"""Claim pages: permissions, scoping (a foreign claim answers like a missing one), masking, documents, lists."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import AhliWaris, Claim, ClaimDocument, ClaimPayment
from rentan.models import AuditEvent
from tests.claims.conftest import KAUR_DESA, D, add_heir, enrolled_participant, make_claim
from tests.factories import ParticipantFactory

S = Claim.Status
CANARY = "Kanari Kaur Klaim"
PDF = b"%PDF-1.4\n% contoh dokumen klaim\n"
ACTIONS = ["verify", "mark_incomplete", "mark_complete", "approve", "reject", "pay"]


def without_csrf_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def kota_claim(branch_bengkulu):
    claim = make_claim(enrolled_participant(start=D(2024, 1, 1), nama="Warga Kota"), incident_date=D(2025, 2, 10))
    add_heir(claim, AhliWaris.Relationship.JANDA, bank_name="Bank Bengkulu", bank_account="1234567890")
    return claim


@pytest.fixture
def kaur_claim(branch_manna):
    participant = enrolled_participant(desa=KAUR_DESA, start=D(2024, 1, 1), nama=CANARY)
    return make_claim(participant, branch=branch_manna)


@pytest.mark.parametrize("action", ACTIONS)
def test_pimpinan_cannot_act_on_a_claim(client, sekda, kota_claim, action):
    client.force_login(sekda)

    response = client.post(reverse(f"claims:{action}", args=[kota_claim.pk]), {"reason": "x", "reference": "x"})

    assert response.status_code == 403
    assert "Akses ditolak" in response.text
    assert Claim.objects.get(pk=kota_claim.pk).status == S.DIAJUKAN


def test_pimpinan_reads_the_claim_but_sees_no_action_buttons(client, sekda, kota_claim):
    client.force_login(sekda)

    response = client.get(reverse("claims:detail", args=[kota_claim.pk]))

    assert response.status_code == 200
    assert 'data-testid="actions"' not in response.text
    assert reverse("claims:heir_add", args=[kota_claim.pk]) not in response.text


def test_a_disnaker_operator_cannot_approve(client, disnaker_kota_bengkulu, kota_claim):
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(reverse("claims:verify", args=[kota_claim.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["disnaker_kota_bengkulu", "bpjs_cabang"])
def test_kota_bengkulu_users_cannot_see_a_kaur_claim(client, request, persona, kaur_claim):
    client.force_login(request.getfixturevalue(persona))

    foreign = client.get(reverse("claims:detail", args=[kaur_claim.pk]))
    missing = client.get(reverse("claims:detail", args=[kaur_claim.pk + 10_000]))

    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_token(foreign.text) == without_csrf_token(missing.text)
    assert CANARY not in foreign.text


@pytest.mark.parametrize(
    "url",
    ["/klaim/", "/klaim/?jenis=JKM", "/klaim/terlambat/", "/klaim/ringkasan/", "/klaim/baru/?q=Kanari"],
)
def test_kota_bengkulu_claim_pages_never_show_kaur_claims(client, disnaker_kota_bengkulu, kaur_claim, url):
    client.force_login(disnaker_kota_bengkulu)

    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert CANARY not in response.text


def test_an_action_on_a_foreign_claim_answers_404(client, bpjs_cabang, kaur_claim):
    client.force_login(bpjs_cabang)

    response = client.post(reverse("claims:verify", args=[kaur_claim.pk]))

    assert response.status_code == 404
    assert Claim.objects.get(pk=kaur_claim.pk).status == S.DIAJUKAN


@pytest.mark.parametrize(
    ("persona", "sees_full_account"),
    [("disnaker_kota_bengkulu", False), ("sekda", False), ("bpjs_cabang", True), ("administrator", True)],
)
def test_bank_accounts_are_masked_except_for_whoever_pays(client, request, persona, sees_full_account, kota_claim):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("claims:detail", args=[kota_claim.pk]))

    assert ("1234567890" in response.text) is sees_full_account
    assert ("•••• 7890" in response.text) is not sees_full_account


def test_a_bpjs_officer_of_another_branch_sees_the_account_masked(client, kota_claim, branch_manna):
    from tests.conftest import make_user

    other = make_user("bpjs-lain", "bpjs", branch=branch_manna)
    branch_manna.regions.add("17.71")  # the other branch also covers Kota Bengkulu, but the claim is not its own
    client.force_login(other)

    response = client.get(reverse("claims:detail", args=[kota_claim.pk]))

    assert "1234567890" not in response.text
    assert "•••• 7890" in response.text


def upload(client, claim, *, content=PDF, name="akta.pdf", kind="AKTA_KEMATIAN"):
    return client.post(
        reverse("claims:document_upload", args=[claim.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_an_uploaded_document_is_kept_privately_and_downloaded_only_in_scope(
    client, disnaker_kota_bengkulu, bpjs_cabang, disnaker_kaur, kota_claim, private_storage
):
    client.force_login(disnaker_kota_bengkulu)
    assert upload(client, kota_claim).status_code == 302
    document = ClaimDocument.objects.get(claim=kota_claim)
    assert (private_storage / document.file.name).read_bytes() == PDF
    assert "akta" not in document.file.name  # stored under a random name
    url = reverse("claims:document_download", args=[kota_claim.pk, document.pk])

    client.force_login(bpjs_cabang)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert 'attachment; filename="akta.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="download", object_id=str(document.pk), user=bpjs_cabang).exists()

    client.force_login(disnaker_kaur)
    assert client.get(url).status_code == 404
    client.force_login(bpjs_cabang)
    assert client.get(reverse("claims:document_download", args=[kota_claim.pk, document.pk + 1])).status_code == 404


def test_a_document_is_not_reachable_through_another_claims_url(client, bpjs_cabang, kota_claim, branch_bengkulu):
    other = make_claim(enrolled_participant(start=D(2024, 1, 1)))
    client.force_login(bpjs_cabang)
    upload(client, kota_claim)
    document = ClaimDocument.objects.get(claim=kota_claim)

    assert client.get(reverse("claims:document_download", args=[other.pk, document.pk])).status_code == 404


def test_an_upload_that_is_not_pdf_jpg_or_png_is_refused_with_a_message(client, disnaker_kota_bengkulu, kota_claim):
    client.force_login(disnaker_kota_bengkulu)

    response = upload(client, kota_claim, content=b"MZ\x90\x00 program", name="virus.pdf")

    assert not ClaimDocument.objects.exists()
    assert "Hanya berkas PDF, JPG atau PNG yang diterima." in client.get(response["Location"]).text


def test_pimpinan_cannot_upload(client, sekda, kota_claim):
    client.force_login(sekda)

    assert upload(client, kota_claim).status_code == 403


def test_the_detail_page_explains_eligibility_breakdown_heirs_documents_and_timeline(client, bpjs_cabang, kota_claim):
    client.force_login(bpjs_cabang)

    page = client.get(reverse("claims:detail", args=[kota_claim.pk])).text

    assert "Peserta aktif pada 10 Februari 2025" in page
    assert "Rp42.000.000" in page
    assert "Penerima: golongan 1" in page
    assert "Akta/surat keterangan kematian" in page
    assert "Mulai verifikasi berkas" in page
    assert reverse("claims:verify", args=[kota_claim.pk]) in page
    assert reverse("claims:reject", args=[kota_claim.pk]) in page
    assert reverse("claims:approve", args=[kota_claim.pk]) not in page  # not from "diajukan"


def test_a_bpjs_officer_moves_a_claim_through_the_page(client, bpjs_cabang, kota_claim):
    client.force_login(bpjs_cabang)

    response = client.post(reverse("claims:verify", args=[kota_claim.pk]), {"note": "Mulai"}, follow=True)

    assert Claim.objects.get(pk=kota_claim.pk).status == S.VERIFIKASI
    assert "Status klaim sekarang: Verifikasi berkas." in response.text


def test_a_refused_step_shows_the_reasons_instead_of_an_error_page(client, bpjs_cabang, kota_claim):
    client.force_login(bpjs_cabang)
    client.post(reverse("claims:verify", args=[kota_claim.pk]))

    response = client.post(reverse("claims:mark_complete", args=[kota_claim.pk]), follow=True)

    assert response.status_code == 200
    assert "Berkas belum lengkap." in response.text
    assert "Belum diunggah: Kartu peserta (KPJ)." in response.text


def test_a_rejection_without_reason_is_refused_with_a_message(client, bpjs_cabang, kota_claim):
    client.force_login(bpjs_cabang)

    response = client.post(reverse("claims:reject", args=[kota_claim.pk]), {"reason": ""}, follow=True)

    assert Claim.objects.get(pk=kota_claim.pk).status == S.DIAJUKAN
    assert "Bidang ini harus diisi." in response.text


def test_a_claim_without_rules_for_its_date_shows_a_message_not_a_stack_trace(client, bpjs_cabang, branch_bengkulu):
    claim = make_claim(enrolled_participant(start=D(2018, 1, 1)), incident_date=D(2019, 1, 5))
    client.force_login(bpjs_cabang)

    response = client.get(reverse("claims:detail", args=[claim.pk]))

    assert response.status_code == 200
    assert "belum ada di tabel aturan manfaat" in response.text
    assert "Traceback" not in response.text


def test_intake_finds_participants_by_nik_kpj_or_name_inside_the_scope(
    client, disnaker_kota_bengkulu, kota_claim, kaur_claim
):
    participant = kota_claim.participant
    participant.kpj = "12345678901"
    participant.save(update_fields=["kpj"])
    client.force_login(disnaker_kota_bengkulu)

    for query in (participant.nik, "12345678901", "warga kota"):
        assert "Warga Kota" in client.post(reverse("claims:create"), {"q": query}, follow=True).text, query
    assert CANARY not in client.post(reverse("claims:create"), {"q": kaur_claim.participant.nik}, follow=True).text
    assert client.get(reverse("claims:create"), {"peserta": kaur_claim.participant.pk}).status_code == 404


def test_intake_creates_a_submitted_claim(client, disnaker_kota_bengkulu, branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1), nama="Pekerja Baru")
    client.force_login(disnaker_kota_bengkulu)
    form = client.get(reverse("claims:create"), {"peserta": participant.pk})
    assert form.status_code == 200

    response = client.post(
        reverse("claims:create"),
        {
            "peserta": participant.pk,
            "type": "JKK",
            "jkk_kind": "PERAWATAN",
            "incident_date": "2025-05-02",
            "incident_place": "Pantai Panjang",
            "cause": "Terjatuh dari perahu",
            "is_work_related": "on",
            "reporter_name": "Ketua kelompok",
            "branch": branch_bengkulu.pk,
            "medical_cost": "2500000",
            "homecare_cost": "0",
            "transport_land": "0",
            "transport_sea": "0",
            "transport_air": "0",
            "stmb_months": "0",
        },
    )

    claim = Claim.objects.get(participant=participant)
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[claim.pk])
    assert (claim.status, claim.type, claim.reported_by) == (S.DIAJUKAN, "JKK", disnaker_kota_bengkulu)


def test_intake_refuses_a_yearly_beasiswa_without_a_decided_claim(client, disnaker_kota_bengkulu, branch_bengkulu):
    participant = enrolled_participant(start=D(2024, 1, 1))
    client.force_login(disnaker_kota_bengkulu)

    response = client.post(
        reverse("claims:create"),
        {"peserta": participant.pk, "type": "BEASISWA", "incident_date": "2025-07-01", "branch": branch_bengkulu.pk,
         "medical_cost": "0", "homecare_cost": "0", "transport_land": "0", "transport_sea": "0",
         "transport_air": "0", "stmb_months": "0"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Beasiswa tahunan hanya dapat diajukan sesudah klaim kematian" in response.text
    assert not Claim.objects.filter(participant=participant).exists()


def test_pimpinan_cannot_open_the_intake_form(client, sekda):
    client.force_login(sekda)

    assert client.get(reverse("claims:create")).status_code == 403


def test_claim_list_uses_a_constant_number_of_queries(client, disnaker_provinsi, branch_bengkulu):
    client.force_login(disnaker_provinsi)
    counts = []
    for rows in (10, 100):
        for _ in range(rows - Claim.objects.count()):
            make_claim(ParticipantFactory(), due_on=D(2025, 3, 1), status=S.BERKAS_LENGKAP, complete_on=D(2025, 2, 25))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("claims:list"), {"halaman": 2 if rows == 100 else 1}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


def test_claim_list_filters_by_type_status_region_branch_and_overdue(
    client, administrator, kota_claim, kaur_claim, branch_bengkulu, branch_manna
):
    late = make_claim(
        enrolled_participant(start=D(2024, 1, 1), nama="Terlambat Bayar"),
        claim_type=Claim.Type.JKK,
        status=S.DISETUJUI,
        benefit_amount=Decimal("70000000"),
        complete_on=D(2025, 3, 3),
        due_on=D(2025, 3, 12),
    )
    client.force_login(administrator)

    def listed(**params):
        page = client.get(reverse("claims:list"), params).text
        return {name for name in ("Warga Kota", CANARY, "Terlambat Bayar") if name in page}

    assert listed() == {"Warga Kota", CANARY, "Terlambat Bayar"}
    assert listed(jenis="JKK") == {"Terlambat Bayar"}
    assert listed(status="DISETUJUI") == {"Terlambat Bayar"}
    assert listed(wilayah="17.04") == {CANARY}
    assert listed(cabang=branch_manna.pk) == {CANARY}
    assert listed(terlambat="1") == {"Terlambat Bayar"}
    assert "Terlambat Bayar" in client.get(reverse("claims:overdue")).text
    assert "terlambat" in client.get(reverse("claims:overdue")).text
    assert late.pk


def test_the_list_ignores_a_region_outside_the_users_scope(client, disnaker_kota_bengkulu, kota_claim, kaur_claim):
    client.force_login(disnaker_kota_bengkulu)

    page = client.get(reverse("claims:list"), {"wilayah": "17.04"}).text

    assert "Warga Kota" in page
    assert CANARY not in page


def test_the_payment_form_records_a_payment(client, bpjs_cabang, kota_claim):
    Claim.objects.filter(pk=kota_claim.pk).update(
        status=S.DISETUJUI, benefit_amount=Decimal("42000000"), complete_on=D(2025, 3, 3), due_on=D(2025, 3, 6)
    )
    janda = kota_claim.heirs.get()
    client.force_login(bpjs_cabang)

    client.post(
        reverse("claims:pay", args=[kota_claim.pk]),
        {"paid_on": "2025-03-05", "reference": "TRX-77", "recipient": janda.pk},
    )

    payment = ClaimPayment.objects.get(claim=kota_claim)
    assert (payment.amount, payment.reference, payment.recipient) == (Decimal("42000000"), "TRX-77", janda)
    assert payment.paid_on == datetime.date(2025, 3, 5)
