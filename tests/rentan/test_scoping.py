"""Scoping lives in one place (rentan.access + each model's for_user); these tests prove it holds."""

import pytest

from claims.models import Claim
from claims.selectors import claim_list_for_user
from participants.models import Participant
from participants.selectors import participant_list_for_user
from programs.models import Program, Region
from programs.selectors import program_list_for_user
from tests.factories import ClaimFactory, EnrolmentFactory, ParticipantFactory, ProgramFactory

KOTA_DESA = "17.71.05.1001"
KAUR_DESA = "17.04.01.2001"
KOTA_TENGAH_DESA = "17.09.01.2001"


@pytest.fixture
def world(regions, branch_bengkulu):
    """A participant, enrolment and claim in Kota Bengkulu, in Kaur and in Bengkulu Tengah."""
    province_program = ProgramFactory(code="prov", owner_region_id="17")
    kota_program = ProgramFactory(code="kota", owner_region_id="17.71")
    kaur_program = ProgramFactory(code="kaur", owner_region_id="17.04")
    people = {}
    for key, desa, program in [
        ("kota", KOTA_DESA, kota_program),
        ("kaur", KAUR_DESA, kaur_program),
        ("tengah", KOTA_TENGAH_DESA, province_program),
    ]:
        person = ParticipantFactory(desa_id=desa, nama=f"Warga {key}")
        EnrolmentFactory(participant=person, program=program)
        ClaimFactory(participant=person)
        people[key] = person
    return people


def names(queryset):
    return sorted(queryset.values_list("nama", flat=True))


def test_kota_bengkulu_operator_sees_nothing_of_kabupaten_kaur(world, disnaker_kota_bengkulu):
    user = disnaker_kota_bengkulu
    assert names(participant_list_for_user(user=user)) == ["Warga kota"]
    assert list(claim_list_for_user(user=user).values_list("participant__nama", flat=True)) == ["Warga kota"]
    assert not Region.objects.for_user(user).filter(code__startswith="17.04").exists()
    assert not program_list_for_user(user=user).filter(code="kaur").exists()
    assert not participant_list_for_user(user=user, search=world["kaur"].nik).exists()


def test_kota_bengkulu_operator_sees_the_province_program_above_it_but_not_its_members_elsewhere(
    world, disnaker_kota_bengkulu
):
    codes = set(program_list_for_user(user=disnaker_kota_bengkulu).values_list("code", flat=True))
    assert codes == {"prov", "kota"}


def test_province_operator_and_sekda_see_every_kabupaten_kota(world, disnaker_provinsi, sekda):
    for user in (disnaker_provinsi, sekda):
        assert names(participant_list_for_user(user=user)) == ["Warga kaur", "Warga kota", "Warga tengah"]


def test_desa_operator_sees_only_their_desa(world, disnaker_desa, regions):
    other_desa_in_same_kota = ParticipantFactory(desa_id="17.71.05.1002", nama="Tetangga")
    assert other_desa_in_same_kota.pk
    assert names(participant_list_for_user(user=disnaker_desa)) == ["Warga kota"]


def test_bpjs_officer_sees_the_kabupaten_kota_of_their_branch(world, bpjs_cabang):
    # The branch covers Kota Bengkulu and Bengkulu Tengah, not Kaur.
    assert names(participant_list_for_user(user=bpjs_cabang)) == ["Warga kota", "Warga tengah"]
    assert Claim.objects.for_user(bpjs_cabang).count() == 2


def test_administrator_sees_everything(world, administrator):
    assert Participant.objects.for_user(administrator).count() == 3
    assert Program.objects.for_user(administrator).count() == 3


def test_inactive_and_anonymous_users_see_nothing(world, inactive_user):
    from django.contrib.auth.models import AnonymousUser

    for user in (inactive_user, AnonymousUser()):
        assert not Participant.objects.for_user(user).exists()
        assert not Region.objects.for_user(user).exists()


def test_a_code_prefix_never_leaks_into_a_sibling_region(regions):
    """``17.7`` must not match ``17.71``: scoping compares whole code segments."""
    from rentan.access import region_code_in_scope

    class FakeUser:
        is_authenticated = True

        def scope_region_codes(self):
            return ["17.0"]

    assert not region_code_in_scope(FakeUser(), "17.04")
    assert region_code_in_scope(FakeUser(), "17.0.01")
