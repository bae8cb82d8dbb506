"""Eligibility at the incident date, explained in sentences (domain brief §3–§5)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from claims.benefits import calculate_benefit
from claims.eligibility import check_eligibility, masa_iur_months, participant_active_on
from claims.models import AhliWaris, Claim, ClaimBenefitLine, SchoolLevel
from tests.claims.conftest import D, add_child, add_heir, enrolled_participant, make_claim
from tests.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.usefixtures("branch_bengkulu")


def reported(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def test_a_death_in_a_month_without_active_membership_is_refused_with_the_reason():
    """The enrolment ended in June 2024; the participant died in August 2024."""
    participant = enrolled_participant(start=D(2024, 1, 1), end=D(2024, 6, 1))
    claim = make_claim(participant, incident_date=D(2024, 8, 3))

    eligibility = check_eligibility(claim)

    assert not eligibility.eligible
    assert eligibility.reasons == [
        "Peserta tidak memiliki kepesertaan aktif pada bulan Agustus 2024 (tanggal kejadian 3 Agustus 2024); "
        "manfaat hanya dibayar bila peserta aktif pada tanggal kejadian."
    ]


@pytest.mark.usefixtures("postgres", "regions")
def test_a_death_while_nonaktif_by_arrears_is_refused_with_the_reason():
    """Bills for January–April 2025 left unpaid: after April's due date the membership is nonaktif (> 3 months)."""
    from programs import billing

    participant = enrolled_participant(start=D(2025, 1, 1))
    program = participant.enrolments.get().program
    for month in (1, 2, 3, 4):
        billing.bill_generate(program=program, month=D(2025, month, 1))
    billing.arrears_refresh(program=program, today=D(2025, 4, 20))

    claim = make_claim(participant, incident_date=D(2025, 4, 18))
    refused = check_eligibility(claim)
    claim.incident_date = D(2025, 3, 28)  # three months unpaid then: menunggak, still protected
    still_active = check_eligibility(claim)

    assert not refused.eligible
    assert refused.reasons == [
        "Peserta nonaktif karena tunggakan iuran sejak April 2025 (tanggal kejadian 18 April 2025); "
        "manfaat hanya dibayar bila peserta aktif pada tanggal kejadian."
    ]
    assert still_active.eligible


def test_a_death_in_the_last_covered_month_is_eligible():
    participant = enrolled_participant(start=D(2024, 1, 1), end=D(2024, 6, 1))
    claim = make_claim(participant, incident_date=D(2024, 6, 30))

    eligibility = check_eligibility(claim)

    assert eligibility.eligible
    assert eligibility.checks[0].text.startswith("Peserta aktif pada 30 Juni 2024, iuran dibayar dari sumber dana")


def test_a_jkk_claim_five_years_and_one_day_after_the_accident_is_refused():
    participant = enrolled_participant(start=D(2020, 1, 1))
    claim = make_claim(
        participant,
        claim_type=Claim.Type.JKK,
        jkk_kind=Claim.JkkKind.PERAWATAN,
        medical_cost=Decimal("1000000"),
        incident_date=D(2020, 3, 10),
        reported_at=reported(D(2025, 3, 11)),
    )

    eligibility = check_eligibility(claim)

    assert not eligibility.eligible
    assert eligibility.reasons == [
        "Klaim dilaporkan 11 Maret 2025, lebih dari 5 tahun sesudah kecelakaan 10 Maret 2020 (batas 10 Maret 2025): "
        "hak atas manfaat JKK gugur (PP 82/2019 (Pasal 26))."
    ]


def test_a_jkk_claim_exactly_five_years_after_the_accident_is_still_in_time():
    participant = enrolled_participant(start=D(2020, 1, 1))
    claim = make_claim(
        participant,
        claim_type=Claim.Type.JKK,
        jkk_kind=Claim.JkkKind.PERAWATAN,
        incident_date=D(2020, 3, 10),
        reported_at=reported(D(2025, 3, 10)),
    )

    assert check_eligibility(claim).eligible


def test_jkm_is_only_for_a_death_not_caused_by_work():
    participant = enrolled_participant(start=D(2024, 1, 1))
    claim = make_claim(participant, is_work_related=True)

    eligibility = check_eligibility(claim)

    assert not eligibility.eligible
    assert "ajukan sebagai klaim JKK" in eligibility.reasons[0]


def test_jkk_needs_a_work_accident():
    participant = enrolled_participant(start=D(2024, 1, 1))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, is_work_related=False)

    assert check_eligibility(claim).reasons == [
        "Kejadian tidak dinyatakan sebagai kecelakaan kerja; JKK tidak berlaku."
    ]


def test_participant_active_on_answers_the_enrolment_that_covered_the_day():
    participant = enrolled_participant(start=D(2024, 1, 1), end=D(2024, 12, 1))

    assert participant_active_on(participant, D(2024, 12, 31)).end_month == D(2024, 12, 1)
    assert participant_active_on(participant, D(2025, 1, 1)) is None
    assert participant_active_on(participant, D(2023, 12, 31)) is None


def test_masa_iur_counts_enrolled_months_up_to_the_incident_month_once_each():
    participant = enrolled_participant(start=D(2021, 1, 1), end=D(2021, 12, 1))
    program = ProgramFactory(owner_region_id="17.71")
    EnrolmentFactory(participant=participant, program=program, start_month=D(2023, 1, 1), end_month=None)

    assert masa_iur_months(participant, D(2021, 6, 15)) == 6
    assert masa_iur_months(participant, D(2022, 6, 15)) == 12  # the gap in 2022 does not count
    assert masa_iur_months(participant, D(2024, 12, 31)) == 12 + 24
    assert masa_iur_months(participant, D(2020, 12, 31)) == 0


def test_jkm_beasiswa_needs_36_months_of_iuran():
    participant = enrolled_participant(start=D(2022, 2, 1))
    claim = make_claim(participant, incident_date=D(2025, 1, 20))  # 36 months: Feb 2022 … Jan 2025
    add_child(claim, age_on_incident=9, level=SchoolLevel.SD)
    short = enrolled_participant(start=D(2022, 3, 1))
    short_claim = make_claim(short, incident_date=D(2025, 1, 20))
    add_child(short_claim, age_on_incident=9, level=SchoolLevel.SD)

    assert check_eligibility(claim).beasiswa_allowed
    assert not check_eligibility(short_claim).beasiswa_allowed
    assert calculate_benefit(short_claim).total == Decimal("42000000")


def test_beasiswa_ends_at_age_23_and_on_marriage_or_work():
    participant = enrolled_participant(start=D(2020, 1, 1))
    claim = make_claim(participant, incident_date=D(2025, 1, 20))
    add_child(claim, age_on_incident=23, level=SchoolLevel.PT, name="Anak Sulung")
    married = add_child(claim, age_on_incident=20, level=SchoolLevel.PT, name="Anak Menikah")
    married.beasiswa_ended = True
    married.save(update_fields=["beasiswa_ended"])
    add_child(claim, age_on_incident=22, level=SchoolLevel.PT, name="Anak Kuliah")

    eligibility = check_eligibility(claim)
    texts = [check.text for check in eligibility.checks]

    assert "Anak Sulung berusia 23 tahun: beasiswa berakhir pada usia 23 tahun." in texts
    assert "Anak Menikah sudah menikah atau bekerja: beasiswa berhenti." in texts
    assert [grant.heir.nama for grant in eligibility.children if grant.granted] == ["Anak Kuliah"]
    assert eligibility.eligible  # children's beasiswa never blocks the death benefit itself


DEATH_DAY = D(2025, 1, 20)


def decided_death_claim(participant, *, incident=DEATH_DAY) -> Claim:
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL, incident_date=incident)
    claim.status = Claim.Status.DIBAYAR
    claim.paid_on = incident + datetime.timedelta(days=10)
    claim.save(update_fields=["status", "paid_on"])
    return claim


def test_a_yearly_beasiswa_claim_pays_the_child_of_a_paid_jkk_death_claim():
    participant = enrolled_participant(start=D(2024, 6, 1))
    parent = decided_death_claim(participant)
    first_year = add_child(parent, age_on_incident=10, level=SchoolLevel.SD, name="Anak")
    ClaimBenefitLine.objects.create(
        claim=parent, position=4, code="BEASISWA_SD", label="x", rule_text="x", amount=Decimal("1500000"),
        heir=first_year, school_level=SchoolLevel.SD,
    )  # fmt: skip
    claim = make_claim(participant, claim_type=Claim.Type.BEASISWA, parent_claim=parent, incident_date=D(2026, 1, 15))
    add_heir(claim, AhliWaris.Relationship.ANAK, born=first_year.tanggal_lahir, level=SchoolLevel.SMP, name="Anak")
    AhliWaris.objects.filter(claim=claim).update(nik=first_year.nik)

    eligibility = check_eligibility(claim)

    assert eligibility.eligible
    assert calculate_benefit(claim).total == Decimal("2000000")


def test_a_beasiswa_claim_stops_after_the_maximum_years_of_a_level():
    participant = enrolled_participant(start=D(2024, 6, 1))
    parent = decided_death_claim(participant)
    child = add_child(parent, age_on_incident=5, level=SchoolLevel.TK, name="Anak TK")
    ClaimBenefitLine.objects.create(
        claim=parent, position=4, code="BEASISWA_TK", label="x", rule_text="x", amount=Decimal("1500000"),
        heir=child, school_level=SchoolLevel.TK,
    )  # fmt: skip
    second = make_claim(participant, claim_type=Claim.Type.BEASISWA, parent_claim=parent, incident_date=D(2025, 7, 15))
    second.status = Claim.Status.DIBAYAR
    second.paid_on = D(2025, 8, 1)
    second.save(update_fields=["status", "paid_on"])
    second_child = add_child(second, age_on_incident=5, level=SchoolLevel.TK, name="Anak TK")
    AhliWaris.objects.filter(pk=second_child.pk).update(nik=child.nik)
    ClaimBenefitLine.objects.create(
        claim=second, position=1, code="BEASISWA_TK", label="x", rule_text="x", amount=Decimal("1500000"),
        heir_id=second_child.pk, school_level=SchoolLevel.TK,
    )  # fmt: skip
    third = make_claim(participant, claim_type=Claim.Type.BEASISWA, parent_claim=parent, incident_date=D(2026, 7, 15))
    third_child = add_child(third, age_on_incident=6, level=SchoolLevel.TK, name="Anak TK")
    AhliWaris.objects.filter(pk=third_child.pk).update(nik=child.nik)

    eligibility = check_eligibility(third)

    assert not eligibility.eligible
    assert "Anak TK sudah menerima beasiswa TK 2 tahun (paling lama 2)." in [c.text for c in eligibility.checks]


def test_a_beasiswa_claim_needs_a_decided_death_or_cacat_total_tetap_claim():
    participant = enrolled_participant(start=D(2024, 6, 1))
    parent = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL)
    claim = make_claim(participant, claim_type=Claim.Type.BEASISWA, parent_claim=parent, incident_date=D(2026, 1, 15))
    add_child(claim, age_on_incident=10, level=SchoolLevel.SD)

    eligibility = check_eligibility(claim)

    assert not eligibility.eligible
    assert "belum disetujui" in eligibility.reasons[0]
