"""Participant.desa and Participant.pekerjaan without foreign keys (migration 0011): PostgreSQL still refuses what the
keys refused, with a check per statement and the same row locks."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from participants.models import Participant
from programs.models import Occupation, Region
from tests.factories import EnrolmentFactory, ParticipantFactory
from tests.threads import in_a_thread, wait_until_it_waits_on_a_lock

pytestmark = pytest.mark.usefixtures("regions")

COLUMNS = "nik, nama, tanggal_lahir, tempat_lahir, jenis_kelamin, alamat, desa_id, pekerjaan_id, no_hp, kpj, " \
    "bpjs_status, data_source, status, created_at, updated_at"  # fmt: skip


def _insert(cursor, *people):
    """Insert (nik, desa_id, pekerjaan_id) rows in one statement, as a list import does."""
    row = "(%s, 'Contoh', '1985-06-15', '', 'L', '', %s, %s, '', '', '', 'LAINNYA', 'AKTIF', now(), now())"
    values = ", ".join([row] * len(people))
    statement = f"INSERT INTO participants_participant ({COLUMNS}) VALUES {values}"  # noqa: S608 - placeholders only
    cursor.execute(statement, [v for p in people for v in p])


@pytest.fixture
def nelayan():
    return Occupation.objects.get(code="nelayan")


@pytest.fixture
def nelayan_kota_enrolled(program_kota):
    return EnrolmentFactory(
        participant=ParticipantFactory(), program=program_kota, start_month=program_kota.start_month
    )


@pytest.fixture
def spare_desa():
    """A desa nothing else refers to, so that a test may delete it."""
    return Region.objects.create(code="17.71.05.1999", name="Desa Uji", level=4, kind="desa", parent_id="17.71.05")


def test_the_database_refuses_a_participant_whose_desa_or_pekerjaan_does_not_exist(postgres, nelayan):
    good = ("1771051506850001", "17.71.05.1001", nelayan.pk)
    with (
        pytest.raises(IntegrityError, match="participant_desa_exists"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _insert(cursor, good, ("1771051506850002", "17.71.05.1998", nelayan.pk))
    with (
        pytest.raises(IntegrityError, match="participant_pekerjaan_exists"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        _insert(cursor, good, ("1771051506850002", "17.71.05.1001", nelayan.pk + 1000))
    assert not Participant.objects.exists()

    with connection.cursor() as cursor:
        _insert(cursor, good)
    participant = Participant.objects.get()
    with pytest.raises(IntegrityError, match="participant_desa_exists"), transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(desa_id="17.71.05.1998")
    with pytest.raises(IntegrityError, match="participant_pekerjaan_exists"), transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(pekerjaan_id=nelayan.pk + 1000)
    Participant.objects.filter(pk=participant.pk).update(nama="Nama Baru", desa_id="17.71.05.1002")
    assert Participant.objects.get().desa_id == "17.71.05.1002"


def test_the_database_refuses_deleting_or_renaming_a_desa_or_pekerjaan_still_referred_to(postgres, nelayan, spare_desa):
    ParticipantFactory(desa_id=spare_desa.code)
    for statement, params in [
        ("DELETE FROM programs_region WHERE code = %s", [spare_desa.code]),
        ("UPDATE programs_region SET code = '17.71.05.1998' WHERE code = %s", [spare_desa.code]),
    ]:
        with (
            pytest.raises(IntegrityError, match="participant_desa_exists"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, params)
    for statement in ["DELETE FROM programs_occupation WHERE id = %s", "UPDATE programs_occupation SET id = id + 1000 "
                      "WHERE id = %s"]:  # fmt: skip
        with (
            pytest.raises(IntegrityError, match="participant_pekerjaan_exists"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [nelayan.pk])

    Participant.objects.all().delete()
    spare_desa.delete()  # nobody refers to it any more
    assert not Region.objects.filter(code=spare_desa.code).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_desa_deleted_while_a_participant_is_written_there_keeps_the_participant_or_refuses_it(
    postgres, nelayan, spare_desa
):
    """The row lock a foreign key took, now taken once per statement, orders a writer and a delete of its desa:
    whichever commits second is refused."""

    def write(nik):
        def insert():
            with connection.cursor() as cursor:
                _insert(cursor, (nik, spare_desa.code, nelayan.pk))

        return insert

    def delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM programs_region WHERE code = %s", [spare_desa.code])

    written, release = threading.Event(), threading.Event()
    writer, wrote = in_a_thread(write("1771051506850001"), done=written, release=release)
    assert written.wait(30)
    deleter, deleted = in_a_thread(delete)
    wait_until_it_waits_on_a_lock(deleter)
    release.set()
    writer.join(30)
    deleter.join(30)
    assert wrote["result"] == "committed"
    assert "participant_desa_exists" in str(deleted["result"])

    Participant.objects.all().delete()
    removed, release = threading.Event(), threading.Event()
    deleter, deleted = in_a_thread(delete, done=removed, release=release)
    assert removed.wait(30)
    writer, wrote = in_a_thread(write("1771051506850002"))
    wait_until_it_waits_on_a_lock(writer)
    release.set()
    deleter.join(30)
    writer.join(30)
    assert deleted["result"] == "committed"
    assert "participant_desa_exists" in str(wrote["result"])
    assert not Participant.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_truncating_a_referenced_table_alone_is_refused_and_together_allowed(postgres, nelayan_kota_enrolled):
    """What a foreign key refused on TRUNCATE, the triggers of migration 0012 refuse too."""
    for statement, name in [
        ("TRUNCATE participants_participant CASCADE", "enrolment_participant_exists"),
        ("TRUNCATE programs_occupation CASCADE", "participant_pekerjaan_exists"),
        ("TRUNCATE programs_region CASCADE", "participant_desa_exists"),
    ]:
        with pytest.raises(IntegrityError, match=name), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Participant.objects.count() == 1

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE participants_participant, participants_enrolment CASCADE")
    assert not Participant.objects.exists()
