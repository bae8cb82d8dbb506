"""The participant pages: list with filters at a constant query count, forms, the import flow, permissions."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.models import Enrolment, ImportBatch, Participant
from programs.models import Occupation
from tests.factories import EnrolmentFactory, ParticipantFactory
from tests.participants.conftest import person, write_csv

pytestmark = pytest.mark.usefixtures("regions")


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


# Session and user, the page count and the page's rows, the user's region for the header, the options of the
# wilayah, program and pekerjaan selects (the session is renewed at most once a minute, not on this page view); a
# chosen program and pekerjaan cost one lookup each. None of it depends on how many participants there are.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 7),
        ({"q": "Peserta"}, 7),
        ({"wilayah": "17.71", "program": "nelayan-kota", "pekerjaan": "nelayan", "status": "AKTIF"}, 9),
    ],
)
def test_the_list_uses_the_same_number_of_queries_for_10_and_100_rows(
    client, disnaker_provinsi, program_kota, django_assert_num_queries, query, expected
):
    client.force_login(disnaker_provinsi)
    for total in (10, 100):
        for participant in ParticipantFactory.create_batch(total - Participant.objects.count()):
            EnrolmentFactory(participant=participant, program=program_kota)
        # A search arrives as a POST and is redirected to a URL with a token instead of the text.
        url = client.post(reverse("participants:list"), query)["Location"] if "q" in query else None
        with django_assert_num_queries(expected):
            response = client.get(url) if url else client.get(reverse("participants:list"), query)
        assert response.status_code == 200
        assert response.context["page"].paginator.count == total


def test_filters_narrow_the_list(client, disnaker_provinsi, program_kota):
    nelayan = Occupation.objects.get(code="nelayan")
    petani = Occupation.objects.get(code="petani")
    in_program = ParticipantFactory(nama="Dalam Program", desa_id="17.71.05.1001", pekerjaan=nelayan)
    EnrolmentFactory(participant=in_program, program=program_kota)
    ParticipantFactory(nama="Petani Kaur", desa_id="17.04.01.2001", pekerjaan=petani)
    ParticipantFactory(nama="Meninggal", desa_id="17.71.01.1001", pekerjaan=nelayan, status="MENINGGAL")
    client.force_login(disnaker_provinsi)

    def names(**query):
        response = client.get(reverse("participants:list"), query, follow=True)
        return {p.nama for p in response.context["page"].object_list}

    assert names() == {"Dalam Program", "Petani Kaur", "Meninggal"}
    assert names(wilayah="17.04") == {"Petani Kaur"}
    assert names(wilayah="17.71.05") == {"Dalam Program"}
    assert names(program="nelayan-kota") == {"Dalam Program"}
    assert names(pekerjaan="petani") == {"Petani Kaur"}
    assert names(status="MENINGGAL") == {"Meninggal"}
    assert names(q=in_program.nik[:8]) == {"Dalam Program"}


def test_a_region_outside_the_scope_never_widens_the_list(client, disnaker_kota_bengkulu):
    from participants.selectors import participant_list_for_user

    ParticipantFactory(desa_id="17.04.01.2001")
    kota = ParticipantFactory(desa_id="17.71.05.1001")
    client.force_login(disnaker_kota_bengkulu)
    response = client.get(reverse("participants:list"), {"wilayah": "17.04"})
    assert list(response.context["page"].object_list) == [kota]  # the unknown choice is ignored
    assert not participant_list_for_user(user=disnaker_kota_bengkulu, region_code="17.04").exists()
    options = [code for code, _label in response.context["form"].fields["wilayah"].choices]
    assert "17.71.05" in options and "17.04" not in options


def test_the_list_offers_the_import_button_to_operators_only(client, disnaker_kota_bengkulu, bpjs_cabang):
    client.force_login(disnaker_kota_bengkulu)
    assert "Impor daftar" in client.get(reverse("participants:list")).text
    client.force_login(bpjs_cabang)
    assert "Impor daftar" not in client.get(reverse("participants:list")).text


def valid_form(**changes):
    row = person(3, desa="17.71.05.1001", birth=datetime.date(1980, 4, 5), sex="L")
    data = {
        "nik": row["NIK"],
        "nama": "Budi Contoh",
        "tempat_lahir": "Bengkulu",
        "tanggal_lahir": "1980-04-05",
        "jenis_kelamin": "L",
        "alamat": "Jl. Contoh",
        "desa": "17.71.05.1001",
        "pekerjaan": Occupation.objects.get(code="nelayan").pk,
        "no_hp": "081234567890",
        "data_source": "P3KE",
    }
    data.update(changes)
    return data


def test_adding_a_participant_with_a_nik_warning_saves_and_shows_the_warning(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("participants:create"), valid_form(tanggal_lahir="1980-04-06"), follow=True)
    assert response.status_code == 200
    participant = Participant.objects.get()
    assert participant.nama == "Budi Contoh"
    assert "tidak sama dengan yang tercantum di NIK" in response.text


def test_a_hard_nik_error_blocks_the_form(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("participants:create"), valid_form(nik="1.7710E+15"))
    assert response.status_code == 200
    assert "digitnya hilang" in response.text
    assert not Participant.objects.exists()


def test_a_nik_already_registered_elsewhere_is_refused_without_naming_the_person(client, disnaker_kota_bengkulu):
    data = valid_form()
    ParticipantFactory(nik=data["nik"], desa_id="17.04.01.2001", nama="Rahasia Kaur")
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("participants:create"), data)
    assert "sudah terdaftar sebagai peserta di luar wilayah Anda" in response.text
    assert "Rahasia Kaur" not in response.text


def test_a_desa_outside_the_region_is_not_offered_nor_accepted(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("participants:create"), valid_form(desa="17.04.01.2001"))
    assert response.status_code == 200
    assert not Participant.objects.exists()
    assert "17.04.01.2001" not in [code for code, _ in response.context["form"].fields["desa"].choices]


def test_editing_a_participant_is_audited_and_a_foreign_one_answers_404(client, disnaker_kota_bengkulu, disnaker_kaur):
    from rentan.models import AuditEvent

    participant = ParticipantFactory(desa_id="17.71.05.1001")
    client.force_login(disnaker_kota_bengkulu)
    data = valid_form(nik=participant.nik, tanggal_lahir="1985-06-15", nama="Nama Baru", status="AKTIF")
    response = client.post(reverse("participants:edit", args=[participant.pk]), data)
    assert response.status_code == 302, response.content
    participant.refresh_from_db()
    assert participant.nama == "Nama Baru"
    assert AuditEvent.objects.filter(action="update", object_id=str(participant.pk)).exists()

    client.force_login(disnaker_kaur)
    foreign = client.post(reverse("participants:edit", args=[participant.pk]), data)
    missing = client.post(reverse("participants:edit", args=[participant.pk + 999]), data)
    assert foreign.status_code == missing.status_code == 404


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("participants:create", [], "get"),
        ("participants:import_list", [], "get"),
        ("participants:import_list", [], "post"),
        ("participants:bpjs_reply", [], "get"),
    ],
)
def test_a_pimpinan_cannot_reach_write_pages(client, sekda, name, args, method):
    client.force_login(sekda)
    assert getattr(client, method)(reverse(name, args=args)).status_code == 403


def test_a_pimpinan_cannot_confirm_or_enrol(client, sekda, disnaker_provinsi, program_provinsi, tmp_path):
    from participants import services

    batch = services.import_batch_create(
        user=disnaker_provinsi,
        program=program_provinsi,
        source_path=write_csv(tmp_path / "a.csv", [person(1)]),
        file_name="a.csv",
        enqueue=False,
    )
    participant = ParticipantFactory(desa_id="17.71.05.1001")
    client.force_login(sekda)
    assert client.post(reverse("participants:import_confirm", args=[batch.pk])).status_code == 403
    assert client.post(reverse("participants:enrol", args=[participant.pk]), {}).status_code == 403
    assert client.post(reverse("participants:edit", args=[participant.pk]), {}).status_code == 403


def test_upload_preview_confirm_done_through_the_pages(
    client,
    disnaker_kota_bengkulu,
    program_kota,
    private_media,
    tmp_path,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    rows = [person(number) for number in range(1, 8)]
    rows[2]["Tgl Lahir"] = "31/04/1980"
    content = write_csv(tmp_path / "upload.csv", rows).read_bytes()
    client.force_login(disnaker_kota_bengkulu)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("participants:import_list"),
            {
                "file": SimpleUploadedFile("Daftar Nelayan.csv", content, content_type="text/csv"),
                "program": program_kota.pk,
                "mode": "SKIP_BAD_ROWS",
                "start_month": "2025-04",
                "data_source": "P3KE",
            },
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("participants:import_detail", args=[batch.pk])
    preview = client.get(response["Location"])
    assert batch.status == ImportBatch.Status.VALIDATED
    assert 'data-testid="import-preview"' in preview.text
    assert (batch.rows_new, batch.rows_refused) == (6, 1)
    assert "31/04/1980" in preview.text
    assert not Participant.objects.exists()
    assert str(private_media) in batch.source_path

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participants:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    response = client.get(reverse("participants:import_detail", args=[batch.pk]))
    assert 'data-testid="import-done"' in response.text
    assert Participant.objects.filter(data_source="P3KE").count() == 6
    assert Enrolment.objects.filter(start_month=datetime.date(2025, 4, 1)).count() == 6
    report = client.get(reverse("participants:import_report", args=[batch.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith('attachment; filename="Daftar Nelayan-ditolak.xlsx"')

    # Confirming twice changes nothing.
    again = client.post(reverse("participants:import_confirm", args=[batch.pk]), follow=True)
    assert "tidak sedang menunggu konfirmasi" in again.text


def test_the_status_part_polls_only_while_a_task_works(client, disnaker_kota_bengkulu, program_kota, tmp_path):
    from participants import services

    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu,
        program=program_kota,
        source_path=write_csv(tmp_path / "a.csv", [person(1)]),
        file_name="a.csv",
        enqueue=False,
    )
    client.force_login(disnaker_kota_bengkulu)
    running = client.get(reverse("participants:import_status", args=[batch.pk]))
    assert 'hx-trigger="every 1s"' in running.text
    assert 'role="progressbar"' in running.text
    services.import_batch_validate(batch_id=batch.pk, write_report=False)
    done = client.get(reverse("participants:import_status", args=[batch.pk]))
    assert "hx-trigger" not in done.text
    assert 'data-testid="confirm"' in done.text


def test_an_import_of_another_region_answers_like_a_missing_one(
    client, disnaker_kota_bengkulu, disnaker_kaur, program_kota, tmp_path
):
    from participants import services

    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu,
        program=program_kota,
        source_path=write_csv(tmp_path / "a.csv", [person(1)]),
        file_name="a.csv",
        enqueue=False,
    )
    client.force_login(disnaker_kaur)
    for name in ("import_detail", "import_status", "import_report"):
        assert client.get(reverse(f"participants:{name}", args=[batch.pk])).status_code == 404
    assert client.post(reverse("participants:import_confirm", args=[batch.pk])).status_code == 404


def test_an_upload_that_is_not_a_list_is_refused_by_the_form(client, disnaker_kota_bengkulu, program_kota):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(
        reverse("participants:import_list"),
        {"file": SimpleUploadedFile("foto.jpg", b"\xff\xd8"), "program": program_kota.pk, "mode": "SKIP_BAD_ROWS",
         "data_source": "LAINNYA"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Unggah berkas .xlsx atau .csv" in response.text
    assert not ImportBatch.objects.exists()


def test_administrators_see_every_import_and_operators_those_of_their_region(
    client, administrator, disnaker_provinsi, disnaker_kota_bengkulu, disnaker_kaur, program_kota, tmp_path
):
    from participants import services

    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu,
        program=program_kota,
        source_path=write_csv(tmp_path / "a.csv", [person(1)]),
        file_name="a.csv",
        enqueue=False,
    )
    for user, status in (
        (administrator, 200),
        (disnaker_provinsi, 200),
        (disnaker_kota_bengkulu, 200),
        (disnaker_kaur, 404),
    ):
        client.force_login(user)
        assert client.get(reverse("participants:import_detail", args=[batch.pk])).status_code == status, user


def test_the_detail_page_shows_enrolments_with_their_iuran_months(client, disnaker_kota_bengkulu, program_kota):
    participant = ParticipantFactory(desa_id="17.71.05.1001")
    EnrolmentFactory(
        participant=participant,
        program=program_kota,
        start_month=datetime.date(2025, 1, 1),
        end_month=datetime.date(2025, 3, 1),
    )
    client.force_login(disnaker_kota_bengkulu)
    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 200
    months = response.context["iuran_months"]
    assert [row["month"] for row in months] == [datetime.date(2025, m, 1) for m in (3, 2, 1)]
    assert {row["iuran"] for row in months} == {Decimal("16800")}  # JKK 1% × Rp1 jt + JKM Rp6.800
    assert "Rp16.800" in response.text
