"""Full NIKs: masked everywhere by default, shown one at a time to whoever may, for a stated reason, audited."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from rentan.models import AuditEvent
from tests.factories import ParticipantFactory, ProgramFactory

pytestmark = pytest.mark.usefixtures("regions")

REASON = "Mencocokkan dengan KTP ahli waris saat verifikasi klaim"


@pytest.fixture
def kota_person():
    return ParticipantFactory(desa_id="17.71.05.1001", nama="Sutejo Contoh")


@pytest.fixture
def kaur_person():
    return ParticipantFactory(desa_id="17.04.01.2001", nama="Warga Kaur Contoh")


def reveal(client, participant, reason=REASON, **headers):
    return client.post(reverse("participants:reveal_nik", args=[participant.pk]), {"reason": reason}, headers=headers)


def test_the_detail_page_masks_the_nik_and_offers_the_reveal_only_to_who_may(
    client, kota_person, disnaker_kota_bengkulu, bpjs_cabang
):
    client.force_login(disnaker_kota_bengkulu)
    page = client.get(reverse("participants:detail", args=[kota_person.pk])).text
    assert kota_person.nik not in page
    assert f"{kota_person.nik[:4]}••••••••{kota_person.nik[-4:]}" in page
    assert reverse("participants:reveal_nik", args=[kota_person.pk]) not in page

    client.force_login(bpjs_cabang)
    page = client.get(reverse("participants:detail", args=[kota_person.pk])).text
    assert kota_person.nik not in page
    assert reverse("participants:reveal_nik", args=[kota_person.pk]) in page


def test_a_bpjs_officer_sees_the_full_nik_once_with_a_reason_and_it_is_audited(client, kota_person, bpjs_cabang):
    client.force_login(bpjs_cabang)
    response = reveal(client, kota_person, HX_Request="true")
    assert response.status_code == 200
    assert kota_person.nik in response.text
    assert "<html" not in response.text  # the HTMX fragment swapped into the page
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="reveal")
    assert (event.user, event.object_type, event.object_id) == (bpjs_cabang, "participants.Participant",
                                                                str(kota_person.pk))  # fmt: skip
    assert event.reason == REASON
    assert event.region_code == "17.71.05.1001"
    # Without HTMX the same answer comes as a page of its own; the detail page itself stays masked.
    assert kota_person.nik in reveal(client, kota_person).text
    assert kota_person.nik not in client.get(reverse("participants:detail", args=[kota_person.pk])).text


def test_a_reason_that_is_missing_or_too_short_reveals_nothing(client, kota_person, bpjs_cabang):
    client.force_login(bpjs_cabang)
    for reason in ("", "cek"):
        response = reveal(client, kota_person, reason=reason)
        assert response.status_code == 200
        assert kota_person.nik not in response.text
        assert "alasan" in response.text.lower()
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_an_operator_without_the_permission_gets_403_in_indonesian(client, kota_person, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = reveal(client, kota_person)
    assert response.status_code == 403
    assert "Akses ditolak" in response.text
    assert "Penampil NIK lengkap" in response.text  # says whom to ask
    assert kota_person.nik not in response.text
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_an_administrator_grants_the_reveal_through_the_group(client, kota_person, kaur_person, disnaker_kota_bengkulu):
    disnaker_kota_bengkulu.groups.add(Group.objects.get(name="Penampil NIK lengkap"))
    client.force_login(disnaker_kota_bengkulu)
    assert kota_person.nik in reveal(client, kota_person).text
    # The permission does not widen the region: a participant elsewhere answers like a missing one.
    assert reveal(client, kaur_person).status_code == 404
    missing = client.post(reverse("participants:reveal_nik", args=[987654321]), {"reason": REASON})
    assert missing.status_code == 404
    assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_a_foreign_participant_answers_404_to_a_bpjs_officer(client, kaur_person, bpjs_cabang):
    client.force_login(bpjs_cabang)
    assert reveal(client, kaur_person).status_code == 404


def test_the_reveal_is_a_post_and_anonymous_visitors_go_to_the_login(client, kota_person, bpjs_cabang):
    assert reveal(client, kota_person).status_code == 302
    client.force_login(bpjs_cabang)
    assert client.get(reverse("participants:reveal_nik", args=[kota_person.pk])).status_code == 405


def test_the_participant_export_masks_nik_and_the_registration_export_needs_the_permission(
    client, kota_person, disnaker_kota_bengkulu, bpjs_cabang
):
    from tests.factories import EnrolmentFactory

    program = ProgramFactory(owner_region_id="17.71")
    EnrolmentFactory(participant=kota_person, program=program)
    client.force_login(disnaker_kota_bengkulu)
    response = client.get(reverse("participants:export", kwargs={"fmt": "csv"}))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0] == f"{kota_person.nik[:4]}••••••••{kota_person.nik[-4:]}"
    assert kota_person.nik not in text

    refused = client.get(reverse("participants:bpjs_registration", args=[program.code]))
    assert refused.status_code == 403
    assert "Penampil NIK lengkap" in refused.text

    client.force_login(bpjs_cabang)
    download = client.get(reverse("participants:bpjs_registration", args=[program.code]))
    assert download.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).worksheets[0]
    assert kota_person.nik in [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert AuditEvent.objects.filter(action="export", user=bpjs_cabang, object_type__contains="registration").exists()


def test_the_claim_pages_mask_the_nik(client, kota_person, bpjs_cabang, branch_bengkulu):
    from tests.factories import ClaimFactory

    claim = ClaimFactory(participant=kota_person, branch=branch_bengkulu)
    client.force_login(bpjs_cabang)
    page = client.get(reverse("claims:detail", args=[claim.pk])).text
    assert kota_person.nama in page
    assert kota_person.nik not in page
    assert AuditEvent.objects.filter(action="view", object_type="claims.Claim", object_id=str(claim.pk)).exists()
    # The officer checking the KTP reveals it from the claim page (the same audited action).
    assert reverse("participants:reveal_nik", args=[kota_person.pk]) in page


def test_the_edit_form_keeps_the_nik_masked_for_editors_who_may_not_reveal_it(
    client, kota_person, disnaker_kota_bengkulu, administrator
):
    url = reverse("participants:edit", args=[kota_person.pk])
    client.force_login(disnaker_kota_bengkulu)
    form = client.get(url).text
    assert kota_person.nik not in form
    assert f"{kota_person.nik[:4]}••••••••{kota_person.nik[-4:]}" in form
    data = {
        "nik": "",  # left empty: the stored NIK stays
        "nama": "Sutejo Contoh Baru",
        "tempat_lahir": "",
        "tanggal_lahir": kota_person.tanggal_lahir.isoformat(),
        "jenis_kelamin": kota_person.jenis_kelamin,
        "alamat": "",
        "desa": kota_person.desa_id,
        "pekerjaan": kota_person.pekerjaan_id,
        "no_hp": "",
        "data_source": kota_person.data_source,
        "status": kota_person.status,
    }
    assert client.post(url, data).status_code == 302
    kota_person.refresh_from_db()
    assert (kota_person.nama, kota_person.nik) == ("Sutejo Contoh Baru", kota_person.nik)
    # Administrators may reveal NIKs: their form shows it as it is.
    client.force_login(administrator)
    assert kota_person.nik in client.get(url).text


def test_the_admin_export_of_participants_is_audited(rf, kota_person, administrator):
    from django.contrib import admin
    from import_export.formats.base_formats import CSV

    from participants.models import Participant

    request = rf.get("/admin/participants/participant/export/")
    request.user = administrator
    model_admin = admin.site._registry[Participant]
    data = model_admin.get_export_data(CSV(), request, Participant.objects.all(), encoding="utf-8")
    assert kota_person.nik.encode() in data
    event = AuditEvent.objects.get(action="export", object_type="participants.admin_export")
    assert (event.user, event.object_repr) == (administrator, "1 baris")
