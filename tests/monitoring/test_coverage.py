"""The coverage job against the hand-built world (figures counted by hand in tests/monitoring/world.py)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from monitoring.coverage import (
    add_months,
    coverage_compute_month,
    enrolment_active_sql,
    monthly_iuran_by_funding,
    months_between,
    parse_month,
)
from monitoring.models import CoverageMonth, CoverageSnapshot
from participants.models import Enrolment
from programs.models import Occupation, Program
from programs.rates import iuran_for_month
from tests.monitoring.world import BENTENG, KAUR, KOTA, MAY, PROV, D

pytestmark = pytest.mark.django_db


def total(code, month=MAY) -> CoverageSnapshot:
    return CoverageSnapshot.objects.get(region_id=code, month=month, program=None, funding_source="")


def jobs_of(code, month=MAY) -> dict[str, int]:
    """The per-pekerjaan counts of a region's total row, by occupation code."""
    codes = dict(Occupation.objects.values_list("pk", "code"))
    return {codes[int(pk)]: n for pk, n in total(code, month).by_occupation.items()}


def rows_of(month=MAY):
    fields = [f.attname for f in CoverageSnapshot._meta.concrete_fields if f.attname not in ("id", "computed_at")]
    return sorted(CoverageSnapshot.objects.filter(month=month).values_list(*fields), key=repr)


def test_active_participants_per_region_equal_the_hand_count(computed):
    # Kota: A, B, C, D (once); Kaur: G, H (starts in May), J; E ended, F starts in July, K never enrolled.
    assert total(KOTA).active == 4
    assert total(KAUR).active == 3
    assert total(PROV).active == 7
    assert total("17.71.05").active == 3  # A, B, C
    assert total("17.71.01").active == 1  # D
    assert total("17.71.05.1001").active == 2  # A, B (E ended in March)
    assert total("17.04.01.2001").active == 1  # G (F is in the future, K has no enrolment)
    assert not CoverageSnapshot.objects.filter(region_id="17.02", month=MAY).exists()  # nobody there, no target


def test_every_level_gets_a_row_with_its_level_and_parent(computed):
    rows = {s.region_id: s for s in CoverageSnapshot.objects.filter(month=MAY, program=None, funding_source="")}
    assert (rows[PROV].level, rows[PROV].parent_code) == (1, "")
    assert (rows[KOTA].level, rows[KOTA].parent_code) == (2, "17")
    assert (rows["17.71.05"].level, rows["17.71.05"].parent_code) == (3, "17.71")
    assert (rows["17.71.05.1001"].level, rows["17.71.05.1001"].parent_code) == (4, "17.71.05")


def test_a_nik_paid_twice_in_a_month_counts_once_under_its_earliest_enrolment(computed):
    d = computed.people["D"]
    assert Enrolment.objects.filter(participant=d).active_in(MAY).count() == 2
    kota_by_program = dict(
        CoverageSnapshot.objects.filter(region_id=KOTA, month=MAY, program__isnull=False, funding_source="")
        .values_list("program__code")
        .annotate(n=Sum("active"))
    )
    assert kota_by_program == {"apbd-provinsi": 3, "dd-kandang": 1}  # D under the provinsi program (Jan < Apr)
    kota_by_funding = dict(
        CoverageSnapshot.objects.filter(region_id=KOTA, month=MAY, program=None)
        .exclude(funding_source="")
        .values_list("funding_source", "active")
    )
    assert kota_by_funding == {"SG": 3, "SD": 1}


def test_breakdowns_by_sex_funding_program_and_occupation_add_up_to_the_total(computed):
    kota = total(KOTA)
    assert (kota.active_male, kota.active_female) == (2, 2)  # A, D · B, C
    for code in (PROV, KOTA, KAUR, "17.71.05"):
        all_rows = CoverageSnapshot.objects.filter(region_id=code, month=MAY)
        expected = total(code).active
        assert all_rows.filter(program=None).exclude(funding_source="").aggregate(n=Sum("active"))["n"] == expected
        assert all_rows.filter(program__isnull=False, funding_source="").aggregate(n=Sum("active"))["n"] == expected
        assert (
            all_rows.filter(program__isnull=False).exclude(funding_source="").aggregate(n=Sum("active"))["n"]
            == expected
        )
        assert sum(jobs_of(code).values()) == expected
    kota_jobs = jobs_of(KOTA)
    assert kota_jobs == {"nelayan": 2, "petani": 1, "ojek": 1}
    prov_funding = dict(
        CoverageSnapshot.objects.filter(region_id=PROV, month=MAY, program=None)
        .exclude(funding_source="")
        .values_list("funding_source", "active")
    )
    assert prov_funding == {"SG": 4, "SD": 3}


def test_an_ended_enrolment_counts_while_it_ran_stand_in_for_nonaktif_until_arrears_are_recorded(world):
    coverage_compute_month(month=D(2026, 3, 1))
    coverage_compute_month(month=MAY)
    assert total(KOTA, D(2026, 3, 1)).active == 5  # A, B, C, D and E (Jan–Mar)
    assert total("17.71.05.1001", D(2026, 3, 1)).active == 3  # A, B, E
    assert total(KOTA).active == 4  # E is no longer active in May


def test_a_future_enrolment_counts_from_its_first_month(world):
    coverage_compute_month(month=D(2026, 6, 1))
    coverage_compute_month(month=D(2026, 7, 1))
    assert total(KAUR, D(2026, 6, 1)).active == 3
    assert total(KAUR, D(2026, 7, 1)).active == 4  # F from July


def test_coverage_uses_the_latest_denominators_up_to_the_months_year(computed):
    kota, kaur = total(KOTA), total(KAUR)
    assert (kota.penduduk_bekerja, kota.semesta_rentan, kota.ucj_target_pct, kota.target_jiwa) == (
        200,
        50,
        Decimal("48.00"),
        10,  # not 2027's 999
    )
    assert kota.coverage_ucj_pct == Decimal("2.00")  # 4 ÷ 200
    assert kota.coverage_rentan_pct == Decimal("8.00")  # 4 ÷ 50
    assert kota.rentan_target_pct == Decimal("20.00")  # 10 ÷ 50
    assert kaur.penduduk_bekerja == 100  # the 2025 figure is the latest up to 2026
    assert kaur.coverage_ucj_pct == Decimal("3.00")
    assert kaur.coverage_rentan_pct is None  # no semesta for Kaur
    assert total(PROV).coverage_ucj_pct == Decimal("0.70")  # 7 ÷ 1000


def test_the_rupiah_gap_uses_the_months_rate_for_the_regions_typical_funding_source(computed):
    # May 2026 is inside PP 50/2025's window for non-transport workers: SD (Dana Desa) pays half of JKK + JKM,
    # SG (APBD) is excluded from the discount.
    sd = iuran_for_month(
        program=Program(funding_source="SD", income_bracket=Decimal(1000000)), is_transport=False, month=MAY
    )
    assert sd.total == Decimal(8400)
    kaur = total(KAUR)  # G and H under SD, J under SG: typically SD
    assert (kaur.typical_funding_source, kaur.monthly_iuran) == ("SD", Decimal(8400))
    assert kaur.gap_jiwa == 2  # target 5, 3 active
    assert kaur.gap_rupiah == Decimal(2 * 8400 * 12)
    kota = total(KOTA)  # SG 3, SD 1
    assert (kota.typical_funding_source, kota.monthly_iuran, kota.gap_jiwa) == ("SG", Decimal(16800), 6)
    assert kota.gap_rupiah == Decimal(6 * 16800 * 12)
    assert total(PROV).gap_rupiah == Decimal(13 * 16800 * 12)


def test_the_same_gap_before_the_discount_window_is_priced_at_the_full_rate(world):
    coverage_compute_month(month=D(2026, 3, 1))  # the non-transport discount starts in April 2026
    kaur = total(KAUR, D(2026, 3, 1))  # G (SD), J (SG): a tie, broken by the code (SD before SG)
    assert (kaur.typical_funding_source, kaur.monthly_iuran) == ("SD", Decimal(16800))
    assert kaur.gap_rupiah == Decimal(3 * 16800 * 12)


def test_a_region_with_a_target_but_nobody_enrolled_gets_its_whole_target_as_gap(computed):
    benteng = total(BENTENG)
    assert (benteng.active, benteng.gap_jiwa, benteng.typical_funding_source) == (0, 8, "SG")
    assert benteng.gap_rupiah == Decimal(8 * 16800 * 12)


def test_only_the_total_row_carries_the_gap_and_the_pekerjaan_counts(computed):
    filtered = CoverageSnapshot.objects.filter(month=MAY).exclude(program=None, funding_source="")
    assert filtered.exists()
    assert not filtered.filter(gap_jiwa__isnull=False).exists()
    assert not filtered.filter(gap_rupiah__isnull=False).exists()
    assert not filtered.filter(by_occupation__isnull=False).exists()
    assert jobs_of(BENTENG) == {}  # a target, nobody enrolled


def test_recomputing_a_month_replaces_it_with_the_same_rows(computed):
    before = rows_of()
    result = coverage_compute_month(month=MAY)
    assert rows_of() == before
    assert result.rows == len(before)
    assert result.active == 7
    assert CoverageMonth.objects.get(month=MAY).active == 7
    # The other months are left alone.
    assert CoverageSnapshot.objects.filter(month=D(2026, 4, 1)).exists()


def test_recomputing_after_a_change_replaces_the_old_figures(computed):
    Enrolment.objects.filter(participant=computed.people["A"]).update(end_month=D(2026, 4, 1))
    coverage_compute_month(month=MAY)
    assert total(KOTA).active == 3
    assert total(PROV).active == 6
    assert CoverageSnapshot.objects.filter(region_id=KOTA, month=MAY, program=None, funding_source="").count() == 1


def test_the_active_rule_lives_in_one_sql_fragment_that_names_the_arrears_to_come():
    sql = enrolment_active_sql("x")
    assert "x.start_month <= %(month)s" in sql and "x.end_month IS NULL OR x.end_month >= %(month)s" in sql
    assert "arrears" in enrolment_active_sql.__doc__


def test_prices_come_from_the_rate_function_for_every_funding_source(db):
    prices = monthly_iuran_by_funding(MAY)
    assert prices["SG"] == prices["SA"] == 16800
    assert prices["SD"] == prices["MANDIRI"] == 8400


def test_month_helpers():
    assert parse_month("2026-05") == MAY
    with pytest.raises(ValueError):
        parse_month("05-2026")
    assert add_months(D(2026, 1, 1), -1) == D(2025, 12, 1)
    assert months_between(D(2025, 11, 1), D(2026, 2, 1)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]


def test_where_postgresql_forbids_a_second_payer_the_pick_is_skipped_and_the_figures_are_the_same(regions):
    from django.db import connection

    from monitoring.coverage import one_payer_per_month_enforced
    from tests.monitoring.world import build_world

    build_world(double_funding=False)
    with connection.cursor() as cursor:
        enforced = one_payer_per_month_enforced(cursor)
    if connection.vendor == "postgresql" and not enforced:
        pytest.skip("the participants app's one-payer-per-month check is not in this schema")
    coverage_compute_month(month=MAY)
    assert (total(KOTA).active, total(KAUR).active, total(PROV).active) == (4, 3, 7)
    assert total(KAUR).gap_rupiah == Decimal(2 * 8400 * 12)
