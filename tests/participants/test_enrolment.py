"""Enrolment rules: one payer per NIK per month (service and database), the age window, who may enrol whom."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from participants.models import Enrolment, Participant
from participants.services import enrolment_create
from rentan.formatting import mask_nik
from rentan.models import AuditEvent
from tests.factories import EnrolmentFactory, ParticipantFactory, nik_for
from tests.threads import in_a_thread, release_once_it_waits

pytestmark = pytest.mark.usefixtures("regions")
JAN_2025 = datetime.date(2025, 1, 1)


@pytest.fixture
def nelayan_kota(regions):
    return ParticipantFactory(nama="Nelayan Kota", desa_id="17.71.05.1001", tanggal_lahir=datetime.date(1985, 6, 15))


def test_an_operator_enrols_a_participant_of_their_region_and_it_is_audited(
    disnaker_kota_bengkulu, nelayan_kota, program_kota
):
    enrolment = enrolment_create(
        user=disnaker_kota_bengkulu, participant=nelayan_kota, program=program_kota, start_month=JAN_2025
    )
    assert enrolment.funding_source == program_kota.funding_source
    assert enrolment.created_by == disnaker_kota_bengkulu
    assert AuditEvent.objects.filter(object_type="participants.Enrolment", object_id=str(enrolment.pk)).exists()


def test_double_funding_across_two_regions_programs_is_refused_naming_the_other_program(
    disnaker_kota_bengkulu, nelayan_kota, program_kota, program_provinsi
):
    EnrolmentFactory(participant=nelayan_kota, program=program_provinsi, start_month=datetime.date(2024, 1, 1))

    with pytest.raises(ValidationError) as refused:
        enrolment_create(
            user=disnaker_kota_bengkulu, participant=nelayan_kota, program=program_kota, start_month=JAN_2025
        )

    message = refused.value.messages[0]
    assert "APBD Provinsi Bengkulu (Provinsi Bengkulu)" in message
    assert "satu pembayar iuran per bulan" in message
    assert not Enrolment.objects.filter(program=program_kota).exists()


def test_the_other_program_is_not_named_when_the_user_may_not_see_it(
    disnaker_kota_bengkulu, nelayan_kota, program_kota, program_kaur
):
    EnrolmentFactory(participant=nelayan_kota, program=program_kaur, start_month=JAN_2025)

    with pytest.raises(ValidationError) as refused:
        enrolment_create(
            user=disnaker_kota_bengkulu,
            participant=nelayan_kota,
            program=program_kota,
            start_month=datetime.date(2025, 6, 1),
        )

    assert "program lain di luar wilayah Anda" in refused.value.messages[0]
    assert "Kaur" not in refused.value.messages[0]


@pytest.mark.parametrize(
    ("existing", "wanted", "allowed"),
    [
        ((JAN_2025, datetime.date(2025, 6, 1)), (datetime.date(2025, 7, 1), None), True),
        ((JAN_2025, datetime.date(2025, 6, 1)), (datetime.date(2025, 6, 1), None), False),
        ((datetime.date(2025, 9, 1), None), (JAN_2025, datetime.date(2025, 8, 1)), True),
        ((datetime.date(2025, 9, 1), None), (JAN_2025, datetime.date(2025, 9, 1)), False),
        ((JAN_2025, None), (datetime.date(2030, 1, 1), None), False),
    ],
)
def test_one_payer_per_month_compares_whole_months(
    disnaker_provinsi, nelayan_kota, program_kota, program_provinsi, existing, wanted, allowed
):
    EnrolmentFactory(participant=nelayan_kota, program=program_provinsi, start_month=existing[0], end_month=existing[1])
    try:
        enrolment_create(
            user=disnaker_provinsi,
            participant=nelayan_kota,
            program=program_kota,
            start_month=wanted[0],
            end_month=wanted[1],
        )
    except ValidationError:
        assert not allowed
    else:
        assert allowed


def test_the_database_refuses_an_overlapping_enrolment_written_around_the_service(
    postgres, nelayan_kota, program_kota, program_kaur
):
    EnrolmentFactory(participant=nelayan_kota, program=program_kaur, start_month=JAN_2025)

    with pytest.raises(IntegrityError, match="enrolment_one_payer_per_month"), transaction.atomic():
        Enrolment.objects.create(
            participant=nelayan_kota,
            program=program_kota,
            funding_source=program_kota.funding_source,
            start_month=datetime.date(2025, 5, 1),
        )

    with (
        pytest.raises(IntegrityError, match="enrolment_one_payer_per_month"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO participants_enrolment (participant_id, program_id, funding_source, start_month, created_at,"
            " arrears_months) VALUES (%s, %s, 'SG', '2026-01-01', now(), 0)",
            [nelayan_kota.pk, program_kota.pk],
        )
    # A later, non-overlapping period is fine for the database too.
    Enrolment.objects.filter(program=program_kaur).update(end_month=datetime.date(2025, 4, 1))
    Enrolment.objects.create(
        participant=nelayan_kota,
        program=program_kota,
        funding_source=program_kota.funding_source,
        start_month=datetime.date(2025, 5, 1),
    )


@pytest.mark.parametrize(("birth", "allowed"), [
    (datetime.date(2007, 1, 2), False),  # 17 in January 2025
    (datetime.date(2007, 1, 1), True),  # 18 on the first day of the month
    (datetime.date(1960, 1, 2), True),  # 64
    (datetime.date(1960, 1, 1), False),  # 65
])  # fmt: skip
def test_the_age_window_at_enrolment_is_18_to_under_65_by_default(disnaker_kota_bengkulu, program_kota, birth, allowed):
    participant = ParticipantFactory(desa_id="17.71.05.1001", tanggal_lahir=birth)
    try:
        enrolment_create(
            user=disnaker_kota_bengkulu, participant=participant, program=program_kota, start_month=JAN_2025
        )
    except ValidationError as error:
        assert not allowed
        assert "di bawah 65" in error.messages[0]
    else:
        assert allowed


def test_the_age_window_is_a_setting(settings, disnaker_kota_bengkulu, program_kota):
    settings.PARTICIPANT_ENROLMENT_MAX_AGE = 70
    participant = ParticipantFactory(desa_id="17.71.05.1001", tanggal_lahir=datetime.date(1957, 1, 1))
    enrolment_create(user=disnaker_kota_bengkulu, participant=participant, program=program_kota, start_month=JAN_2025)


def test_a_pimpinan_or_bpjs_officer_cannot_enrol(sekda, bpjs_cabang, nelayan_kota, program_provinsi):
    for user in (sekda, bpjs_cabang):
        with pytest.raises(PermissionDenied):
            enrolment_create(user=user, participant=nelayan_kota, program=program_provinsi, start_month=JAN_2025)


def test_an_operator_cannot_enrol_someone_outside_their_region(disnaker_kaur, nelayan_kota, program_kaur):
    with pytest.raises(PermissionDenied):
        enrolment_create(user=disnaker_kaur, participant=nelayan_kota, program=program_kaur, start_month=JAN_2025)


def test_the_start_month_must_lie_inside_the_program(disnaker_kota_bengkulu, nelayan_kota, program_kota):
    with pytest.raises(ValidationError, match="masa program"):
        enrolment_create(
            user=disnaker_kota_bengkulu,
            participant=nelayan_kota,
            program=program_kota,
            start_month=datetime.date(2024, 1, 1),
        )


def test_the_enrol_form_on_the_detail_page_shows_the_refusal(
    client, disnaker_kota_bengkulu, nelayan_kota, program_kota, program_provinsi
):
    EnrolmentFactory(participant=nelayan_kota, program=program_provinsi, start_month=datetime.date(2024, 1, 1))
    client.force_login(disnaker_kota_bengkulu)
    url = reverse("participants:enrol", args=[nelayan_kota.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, {"program": program_kota.pk, "start_month": "2025-02"}, follow=True)

    assert response.status_code == 200
    assert "APBD Provinsi Bengkulu" in response.text
    assert not Enrolment.objects.filter(program=program_kota).exists()


def test_enrolling_through_the_page_works(client, disnaker_kota_bengkulu, nelayan_kota, program_kota):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(
        reverse("participants:enrol", args=[nelayan_kota.pk]),
        {"program": program_kota.pk, "start_month": "2025-02"},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(participant=nelayan_kota).start_month == datetime.date(2025, 2, 1)


def test_the_double_funding_report_lists_overlapping_pairs_for_administrators(
    client, postgres, administrator, disnaker_provinsi, nelayan_kota, program_kota, program_kaur
):
    # Legacy data from before the constraint (or an SQLite installation): drop it inside this test's transaction.
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE participants_enrolment DISABLE TRIGGER enrolment_one_payer_per_month_insert, "
            "DISABLE TRIGGER enrolment_one_payer_per_month_update"
        )
    EnrolmentFactory(participant=nelayan_kota, program=program_kaur, start_month=JAN_2025)
    EnrolmentFactory(participant=nelayan_kota, program=program_kota, start_month=datetime.date(2025, 3, 1))
    EnrolmentFactory(program=program_kota, start_month=JAN_2025)  # someone else, paid once

    client.force_login(administrator)
    response = client.get(reverse("participants:double_funding"))

    assert response.status_code == 200
    assert response.text.count(mask_nik(nelayan_kota.nik)) == 1  # NIKs are masked by default
    assert nelayan_kota.nik not in response.text
    assert "Jamsostek Kabupaten Kaur" in response.text and "Nelayan Kota Bengkulu" in response.text
    client.force_login(disnaker_provinsi)
    assert client.get(reverse("participants:double_funding")).status_code == 403


def test_the_double_funding_report_says_when_there_is_nothing(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("participants:double_funding"))
    assert "Tidak ada NIK yang dibiayai dua program" in response.text


def _enrol_in_thread(participant_id, program, start_month, *, written=None, release=None):
    def enrol():
        Enrolment.objects.create(
            participant_id=participant_id,
            program=program,
            funding_source=program.funding_source,
            start_month=start_month,
        )

    return in_a_thread(enrol, done=written, release=release)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_transactions_cannot_both_pay_for_one_nik_in_one_month(
    postgres, nelayan_kota, program_kota, program_kaur
):
    written, release = threading.Event(), threading.Event()
    first, first_outcome = _enrol_in_thread(nelayan_kota.pk, program_kaur, JAN_2025, written=written, release=release)
    assert written.wait(30)
    # The second writer cannot see the first one's uncommitted row: it must wait for it, not pass its check.
    second, second_outcome = _enrol_in_thread(nelayan_kota.pk, program_kota, datetime.date(2025, 6, 1))
    release_once_it_waits(second, first, release, "advisory")

    assert first_outcome["result"] == "committed"
    assert isinstance(second_outcome["result"], IntegrityError)
    assert "enrolment_one_payer_per_month" in str(second_outcome["result"])
    assert list(Enrolment.objects.filter(participant=nelayan_kota).values_list("program_id", flat=True)) == [
        program_kaur.pk
    ]


def test_arrears_updates_do_not_run_the_one_payer_check_but_period_changes_do(
    postgres, nelayan_kota, program_kota, program_kaur
):
    # Legacy double funding, stored with the check off: any run of the check on these rows would now refuse.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE participants_enrolment DISABLE TRIGGER enrolment_one_payer_per_month_insert")
    kaur = EnrolmentFactory(participant=nelayan_kota, program=program_kaur, start_month=JAN_2025)
    kota = EnrolmentFactory(participant=nelayan_kota, program=program_kota, start_month=datetime.date(2025, 5, 1))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending foreign-key checks
        cursor.execute("ALTER TABLE participants_enrolment ENABLE TRIGGER enrolment_one_payer_per_month_insert")

    # What arrears and billing write on many rows, and a save() of every column with the same period: no check.
    Enrolment.objects.filter(pk__in=[kaur.pk, kota.pk]).update(arrears_months=4, nonaktif_from=JAN_2025)
    kaur.save()

    with pytest.raises(IntegrityError, match="enrolment_one_payer_per_month"), transaction.atomic():
        Enrolment.objects.filter(pk=kota.pk).update(start_month=datetime.date(2025, 4, 1))
    Enrolment.objects.filter(pk=kaur.pk).update(end_month=datetime.date(2025, 4, 1))  # resolves the overlap
    assert Enrolment.objects.get(pk=kota.pk).arrears_months == 4


def test_the_database_refuses_an_enrolment_without_its_participant_and_a_delete_of_an_enrolled_one(
    postgres, nelayan_kota, program_kota
):
    """No foreign key since migration 0010: the statement-level check refuses what the key refused."""
    missing = nelayan_kota.pk + 1000
    with (
        pytest.raises(IntegrityError, match="enrolment_participant_exists"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO participants_enrolment (participant_id, program_id, funding_source, start_month, created_at,"
            " arrears_months) VALUES (%s, %s, 'SG', '2025-01-01', now(), 0), (%s, %s, 'SG', '2025-01-01', now(), 0)",
            [nelayan_kota.pk, program_kota.pk, missing, program_kota.pk],
        )
    enrolment = EnrolmentFactory(participant=nelayan_kota, program=program_kota, start_month=JAN_2025)
    with pytest.raises(IntegrityError, match="enrolment_participant_exists"), transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(participant_id=missing)
    with (
        pytest.raises(IntegrityError, match="enrolment_participant_exists"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM participants_participant WHERE id = %s", [nelayan_kota.pk])
    with (
        pytest.raises(IntegrityError, match="enrolment_participant_exists"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE participants_participant SET id = %s WHERE id = %s", [missing, nelayan_kota.pk])
    unenrolled = ParticipantFactory()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM participants_participant WHERE id = %s", [unenrolled.pk])
    assert Enrolment.objects.get().participant_id == nelayan_kota.pk


def _delete_participant_in_thread(participant_id, *, deleted=None, release=None):
    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM participants_participant WHERE id = %s", [participant_id])

    return in_a_thread(delete, done=deleted, release=release)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_participant_deleted_while_being_enrolled_keeps_the_enrolment_or_refuses_it(
    postgres, nelayan_kota, program_kota
):
    """Without a row lock from a foreign key, the bucket locks order a delete and a concurrent enrolment: whichever
    commits second sees the other's rows and is refused."""
    written, release = threading.Event(), threading.Event()
    enrol, enrolled = _enrol_in_thread(nelayan_kota.pk, program_kota, JAN_2025, written=written, release=release)
    assert written.wait(30)
    delete, deleted = _delete_participant_in_thread(nelayan_kota.pk)
    release_once_it_waits(delete, enrol, release, "advisory")
    assert enrolled["result"] == "committed"
    assert "enrolment_participant_exists" in str(deleted["result"])

    other = ParticipantFactory(desa_id=nelayan_kota.desa_id)
    removed, release = threading.Event(), threading.Event()
    delete, deleted = _delete_participant_in_thread(other.pk, deleted=removed, release=release)
    assert removed.wait(30)
    enrol, enrolled = _enrol_in_thread(other.pk, program_kota, JAN_2025)
    release_once_it_waits(enrol, delete, release, "advisory")
    assert deleted["result"] == "committed"
    assert "enrolment_participant_exists" in str(enrolled["result"])
    assert list(Enrolment.objects.values_list("participant_id", flat=True)) == [nelayan_kota.pk]


# Migration 0013: a statement of at least this many enrolments over a dense range of participant ids is checked by
# reading index ranges, not by a probe per row; it must refuse exactly what the probes refuse.
MANY = 1000


def _participants(count: int, *, offset: int = 0) -> list[int]:
    """``count`` new participants in one statement (consecutive ids, as a list import's new people get)."""
    occupation = ParticipantFactory.build().pekerjaan
    people = [
        Participant(
            nik=nik_for("17.71.05.1001", datetime.date(1980, 1, 1) + datetime.timedelta(days=(offset + n) // 9999),
                        "L", (offset + n) % 9999 + 1),
            nama=f"Peserta Banyak {offset + n}",
            tanggal_lahir=datetime.date(1980, 1, 1),
            jenis_kelamin="L",
            desa_id="17.71.05.1001",
            pekerjaan=occupation,
        )
        for n in range(count)
    ]  # fmt: skip
    return [p.pk for p in Participant.objects.bulk_create(people)]


def _enrol_in_one_statement(participant_ids: list[int], program, start_month=JAN_2025) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO participants_enrolment (participant_id, program_id, funding_source, start_month, created_at,"
            " arrears_months) SELECT id, %s, 'SG', %s, now(), 0 FROM unnest(%s::bigint[]) AS id",
            [program.pk, start_month, participant_ids],
        )


def test_a_large_statement_over_new_people_is_written(postgres, program_kota):
    ids = _participants(MANY + 10)
    _enrol_in_one_statement(ids, program_kota)
    assert Enrolment.objects.filter(program=program_kota).count() == MANY + 10


@pytest.mark.parametrize("spread", [1, 5], ids=["dense ids", "scattered ids"])
def test_a_large_statement_is_refused_what_a_single_enrolment_is_refused(
    postgres, nelayan_kota, program_kota, program_kaur, spread
):
    ids = _participants(MANY * spread)[::spread]
    assert len(ids) == MANY
    EnrolmentFactory(participant_id=ids[500], program=program_kaur, start_month=datetime.date(2024, 6, 1))
    with pytest.raises(IntegrityError, match="enrolment_one_payer_per_month"), transaction.atomic():
        _enrol_in_one_statement(ids, program_kota)  # one of them is paid by Kaur since June 2024

    Enrolment.objects.filter(program=program_kaur).update(end_month=datetime.date(2024, 12, 1))
    missing = max(ids) + MANY * 10
    with pytest.raises(IntegrityError, match="enrolment_participant_exists"), transaction.atomic():
        _enrol_in_one_statement([*ids[:-1], missing], program_kota)
    with pytest.raises(IntegrityError, match="enrolment_one_payer_per_month"), transaction.atomic():
        _enrol_in_one_statement([*ids, ids[7]], program_kota)  # the same person twice in one statement

    _enrol_in_one_statement(ids, program_kota)  # Kaur's enrolment now ends before January 2025
    assert Enrolment.objects.filter(program=program_kota).count() == MANY


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_single_enrolment_waits_for_a_large_statement_that_pays_for_the_same_person(
    postgres, program_kota, program_kaur
):
    """A statement of MANY rows locks every bucket without looking for its own: the single writer still waits."""
    ids = _participants(MANY)
    written, release = threading.Event(), threading.Event()
    large, large_outcome = in_a_thread(
        lambda: _enrol_in_one_statement(ids, program_kaur), done=written, release=release
    )
    assert written.wait(30)
    single, single_outcome = _enrol_in_thread(ids[-1], program_kota, datetime.date(2025, 3, 1))
    release_once_it_waits(single, large, release, "advisory")

    assert large_outcome["result"] == "committed"
    assert "enrolment_one_payer_per_month" in str(single_outcome["result"])
    assert not Enrolment.objects.filter(program=program_kota).exists()
