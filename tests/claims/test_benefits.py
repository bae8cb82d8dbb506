"""Benefit calculation from the dated rule tables (domain brief §3, §4): the issue's correctness checks first."""

import datetime
from decimal import Decimal

import pytest

from claims.benefits import calculate_benefit
from claims.eligibility import check_eligibility
from claims.models import AhliWaris, BenefitRule, CacatSebagianRate, Claim, SchoolLevel
from tests.claims.conftest import JUTA, D, add_child, add_heir, enrolled_participant, make_claim

pytestmark = pytest.mark.usefixtures("branch_bengkulu")
R = AhliWaris.Relationship


def amounts(breakdown) -> dict[str, Decimal]:
    return {line.label: line.amount for line in breakdown.lines}


def test_jkm_death_after_two_months_of_membership_pays_42_million_without_beasiswa():
    participant = enrolled_participant(start=D(2025, 1, 1))
    claim = make_claim(participant, incident_date=D(2025, 2, 10))
    add_heir(claim, R.JANDA)
    add_child(claim, age_on_incident=9, level=SchoolLevel.SD)

    eligibility = check_eligibility(claim)
    breakdown = calculate_benefit(claim)

    assert eligibility.eligible
    assert eligibility.masa_iur == 2
    assert breakdown.total == Decimal("42000000")
    assert amounts(breakdown) == {
        "Santunan sekaligus": Decimal("20000000"),
        "Santunan berkala, dibayar sekaligus": Decimal("12000000"),
        "Biaya pemakaman": Decimal("10000000"),
    }
    assert not eligibility.beasiswa_allowed
    assert any("Masa iur 2 bulan, kurang dari 36 bulan" in check.text for check in eligibility.checks)


def test_jkm_death_after_four_years_adds_first_year_beasiswa_for_children_in_sd_and_sma():
    participant = enrolled_participant(start=D(2021, 1, 1))
    claim = make_claim(participant, incident_date=D(2025, 1, 20))
    add_heir(claim, R.JANDA)
    sma = add_child(claim, age_on_incident=16, level=SchoolLevel.SMA, name="Anak SMA")
    sd = add_child(claim, age_on_incident=9, level=SchoolLevel.SD, name="Anak SD")

    breakdown = calculate_benefit(claim)

    beasiswa = {line.heir.pk: line.amount for line in breakdown.lines if line.heir}
    assert beasiswa == {sd.pk: Decimal("1500000"), sma.pk: Decimal("3000000")}
    assert breakdown.total == Decimal("46500000")


def test_a_third_child_gets_no_beasiswa():
    participant = enrolled_participant(start=D(2021, 1, 1))
    claim = make_claim(participant, incident_date=D(2025, 1, 20))
    add_heir(claim, R.JANDA)
    add_child(claim, age_on_incident=16, level=SchoolLevel.SMA, name="Anak SMA")
    add_child(claim, age_on_incident=9, level=SchoolLevel.SD, name="Anak SD")
    third = add_child(claim, age_on_incident=5, level=SchoolLevel.TK, name="Anak Ketiga")

    eligibility = check_eligibility(claim)
    breakdown = calculate_benefit(claim, eligibility=eligibility)

    assert third.pk not in {line.heir.pk for line in breakdown.lines if line.heir}
    assert breakdown.total == Decimal("46500000")
    assert "Anak Ketiga tidak mendapat beasiswa: paling banyak untuk 2 anak." in [c.text for c in eligibility.checks]


def test_jkk_death_at_one_million_income_pays_70_million():
    participant = enrolled_participant(start=D(2025, 1, 1), income=JUTA)
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL)

    breakdown = calculate_benefit(claim)

    assert breakdown.total == Decimal("70000000")
    assert [line.amount for line in breakdown.lines] == [Decimal("48000000"), Decimal("10000000"), Decimal("12000000")]
    assert "maks(48 × U, Rp20.000.000) dengan U = Rp1.000.000" in breakdown.lines[0].rule_text


def test_jkk_death_pays_at_least_20_million_when_48_times_income_is_less():
    participant = enrolled_participant(start=D(2025, 1, 1), income=Decimal("400000"))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL)

    assert calculate_benefit(claim).lines[0].amount == Decimal("20000000")


def test_jkk_death_gives_beasiswa_without_the_36_month_rule():
    participant = enrolled_participant(start=D(2025, 1, 1))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.MENINGGAL)
    add_heir(claim, R.JANDA)
    add_child(claim, age_on_incident=13, level=SchoolLevel.SMP)

    breakdown = calculate_benefit(claim)

    assert breakdown.total == Decimal("72000000")


def test_cacat_total_tetap_pays_56_times_income_plus_12_million():
    participant = enrolled_participant(start=D(2025, 1, 1), income=Decimal("2000000"))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.CACAT_TOTAL_TETAP)

    assert calculate_benefit(claim).total == Decimal("124000000")


def test_cacat_sebagian_pays_the_table_percentage_times_80_times_income():
    participant = enrolled_participant(start=D(2025, 1, 1))
    arm = CacatSebagianRate.objects.get(body_part="Lengan kanan dari sendi bahu ke bawah")
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.CACAT_SEBAGIAN, cacat_rate=arm)

    breakdown = calculate_benefit(claim)

    assert breakdown.total == Decimal("32000000")
    assert "40% × 80 × U" in breakdown.lines[0].rule_text


def test_stmb_pays_full_income_for_twelve_months_then_half():
    participant = enrolled_participant(start=D(2025, 1, 1))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.STMB, stmb_months=14)

    breakdown = calculate_benefit(claim)

    assert amounts(breakdown) == {"STMB bulan 1–12": Decimal("12000000"), "STMB bulan 13–14": Decimal("1000000")}
    assert breakdown.total == Decimal("13000000")


def test_medical_care_is_paid_as_entered_and_transport_and_home_care_are_capped():
    participant = enrolled_participant(start=D(2025, 1, 1))
    claim = make_claim(
        participant,
        claim_type=Claim.Type.JKK,
        jkk_kind=Claim.JkkKind.PERAWATAN,
        medical_cost=Decimal("135000000"),
        homecare_cost=Decimal("25000000"),
        transport_land=Decimal("6500000"),
        transport_sea=Decimal("1200000"),
        transport_air=Decimal("12000000"),
    )

    breakdown = calculate_benefit(claim)

    assert amounts(breakdown) == {
        "Perawatan dan pengobatan": Decimal("135000000"),
        "Perawatan di rumah": Decimal("20000000"),
        "Transportasi darat": Decimal("5000000"),
        "Transportasi laut": Decimal("1200000"),
        "Transportasi udara": Decimal("10000000"),
    }
    assert "dibatasi paling banyak Rp5.000.000" in breakdown.lines[2].rule_text


def test_a_new_rule_row_changes_the_benefit_only_for_incidents_from_its_start():
    BenefitRule.objects.filter(code=BenefitRule.Code.JKM_SEKALIGUS).update(valid_to=D(2025, 12, 31))
    BenefitRule.objects.create(
        code=BenefitRule.Code.JKM_SEKALIGUS,
        value=Decimal("25000000"),
        unit=BenefitRule.Unit.RUPIAH,
        valid_from=D(2026, 1, 1),
        regulation="Peraturan uji",
    )
    participant = enrolled_participant(start=D(2025, 1, 1))
    before = make_claim(participant, incident_date=D(2025, 12, 31))
    other = enrolled_participant(start=D(2025, 1, 1))
    after = make_claim(other, incident_date=D(2026, 1, 1))

    assert calculate_benefit(before).total == Decimal("42000000")
    assert calculate_benefit(after).total == Decimal("47000000")
    assert "Peraturan uji" in calculate_benefit(after).lines[0].rule_text


def test_without_heirs_in_the_legal_order_only_the_funeral_part_is_paid():
    participant = enrolled_participant(start=D(2025, 1, 1))
    claim = make_claim(participant)
    add_heir(claim, R.PENGURUS_PEMAKAMAN)

    breakdown = calculate_benefit(claim)

    assert breakdown.total == Decimal("10000000")
    assert "Dana Jaminan Sosial" in breakdown.notes[0]


def test_the_total_is_rounded_once_to_whole_rupiah():
    participant = enrolled_participant(start=D(2025, 1, 1), income=Decimal("1234567.89"))
    claim = make_claim(participant, claim_type=Claim.Type.JKK, jkk_kind=Claim.JkkKind.STMB, stmb_months=13)

    breakdown = calculate_benefit(claim)

    raw = sum(line.amount for line in breakdown.lines)
    assert raw != raw.to_integral_value()
    assert breakdown.total == raw.quantize(Decimal("1"), rounding="ROUND_HALF_UP")


def test_every_line_names_the_regulation_it_comes_from():
    participant = enrolled_participant(start=D(2021, 1, 1))
    claim = make_claim(participant, incident_date=D(2025, 1, 20))
    add_child(claim, age_on_incident=19, level=SchoolLevel.PT)

    for line in calculate_benefit(claim).lines:
        assert "PP 82/2019" in line.rule_text, line


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("JKM_SEKALIGUS", "20000000"),
        ("JKM_BERKALA_BULAN", "500000"),
        ("JKM_BERKALA_KALI", "24"),
        ("JKM_PEMAKAMAN", "10000000"),
        ("JKK_DEATH_FACTOR", "48"),
        ("CTT_FACTOR", "56"),
        ("CACAT_SEBAGIAN_FACTOR", "80"),
        ("NPWP_THRESHOLD", "50000000"),
        ("JKK_CLAIM_EXPIRY_YEARS", "5"),
        ("BEASISWA_JKM_MIN_MASA_IUR", "36"),
        ("BEASISWA_MAX_CHILDREN", "2"),
        ("BEASISWA_MAX_AGE", "23"),
        ("SLA_JKM_DAYS", "3"),
        ("SLA_JKK_DAYS", "7"),
    ],
)
def test_the_seeded_rules_carry_the_regulation_amounts(code, value):
    rule = BenefitRule.objects.in_force(datetime.date(2025, 6, 1)).get(code=code)
    assert rule.value == Decimal(value)
    assert rule.regulation


def test_the_cacat_sebagian_table_holds_every_row_of_the_annex():
    rows = dict(CacatSebagianRate.objects.filter(valid_to__isnull=True).values_list("body_part", "percent"))
    assert len(rows) == 27
    assert rows["Kedua belah kaki dari pangkal paha ke bawah"] == Decimal("70")
    assert rows["Ruas pertama jari telunjuk kanan"] == Decimal("4.5")
    assert rows["Ruas pertama jari lain tangan kiri"] == Decimal("1.5")
    first = CacatSebagianRate.objects.filter(valid_to__isnull=True).first()
    assert first.body_part == "Lengan kanan dari sendi bahu ke bawah"
