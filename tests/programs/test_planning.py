import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from programs.models import Budget, FundingSource, Occupation, Region, RegionTarget
from programs.planning import (
    jiwa_for_target,
    plan_budget,
    plan_child_regions,
    program_burn_down,
    program_burn_downs,
)
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_the_published_ppu_figure_is_reproduced():
    plan = plan_budget(population=15000, target_percent=Decimal(100), year=2025)
    assert plan.jiwa == 15000
    assert plan.total == Decimal("3024000000")  # 15.000 × Rp16.800 × 12


def test_bengkulu_seventy_percent_request_gives_the_reported_rupiah():
    # BPJS asked Bengkulu's kab/kota to budget 70% = 80.418 jiwa, Rp16,2 miliar (../shared/seeds, 2024).
    plan = plan_budget(population=114883, target_percent=Decimal(70), year=2025)
    assert plan.jiwa == 80418
    assert plan.total == Decimal("16212268800")


def test_jiwa_are_rounded_down():
    assert jiwa_for_target(999, Decimal("10")) == 99
    assert jiwa_for_target(1000, Decimal("33.33")) == 333


def test_a_mid_year_start_budgets_only_the_months_left():
    plan = plan_budget(population=100, target_percent=Decimal(100), year=2025, start_month=datetime.date(2025, 7, 1))
    assert [m.month.month for m in plan.months] == [7, 8, 9, 10, 11, 12]
    assert plan.total == Decimal(100 * 16800 * 6)


def test_apbdes_plans_price_the_pp_50_2025_discount_months():
    plan = plan_budget(population=100, target_percent=Decimal(100), year=2026, funding_source=FundingSource.SD)
    prices = {m.month.month: m.iuran_per_jiwa for m in plan.months}
    assert prices[3] == Decimal("16800") and prices[4] == Decimal("8400") and prices[12] == Decimal("8400")
    assert plan.total == Decimal(100 * (3 * 16800 + 9 * 8400))


def test_apbd_plans_are_never_discounted():
    plan = plan_budget(population=100, target_percent=Decimal(100), year=2026, funding_source=FundingSource.SG)
    assert {m.iuran_per_jiwa for m in plan.months} == {Decimal("16800")}


def test_the_province_table_plans_every_kabupaten_kota_from_its_semesta(regions):
    RegionTarget.objects.create(
        region_id="17.71", year=2025, indicator="SEMESTA_RENTAN", value=Decimal(12580), source="P3KE"
    )
    RegionTarget.objects.create(
        region_id="17.04", year=2024, indicator="SEMESTA_RENTAN", value=Decimal(8900), source="P3KE"
    )
    rows = plan_child_regions(region=Region.objects.get(code="17"), year=2026, target_percent=Decimal(70))
    by_code = {row.region.code: row for row in rows}
    assert len(rows) == 10
    assert by_code["17.71"].plan.jiwa == 8806
    assert by_code["17.04"].population_year == 2024
    assert by_code["17.04"].plan.total == Decimal(6230 * 16800 * 12)
    assert by_code["17.01"].plan is None  # no semesta recorded: shown as missing, not as zero


def enrol(program, count, *, start=datetime.date(2025, 1, 1), end=None, occupation="nelayan"):
    pekerjaan = Occupation.objects.get(code=occupation)
    for _ in range(count):
        EnrolmentFactory(
            participant=ParticipantFactory(pekerjaan=pekerjaan), program=program, start_month=start, end_month=end
        )


def test_burn_down_finds_the_month_the_pagu_runs_out(regions):
    program = ProgramFactory(start_month=datetime.date(2025, 1, 1))
    enrol(program, 10)
    Budget.objects.create(
        program=program, fiscal_year=2025, amount=Decimal(10 * 16800 * 6), decided_on=datetime.date(2024, 11, 30)
    )

    burn_down = program_burn_down(program=program, year=2025)

    assert [m.jiwa for m in burn_down.months] == [10] * 12
    assert burn_down.total == Decimal(10 * 16800 * 12)
    assert burn_down.runs_out_in == datetime.date(2025, 7, 1)


def test_burn_down_uses_the_latest_revision_and_counts_ended_enrolments_only_while_active(regions):
    program = ProgramFactory(start_month=datetime.date(2025, 1, 1))
    enrol(program, 5)
    enrol(program, 5, end=datetime.date(2025, 6, 1))
    Budget.objects.create(program=program, fiscal_year=2025, amount=Decimal(1), decided_on=datetime.date(2024, 11, 30))
    Budget.objects.create(
        program=program,
        fiscal_year=2025,
        stage="PERUBAHAN",
        amount=Decimal(10**9),
        decided_on=datetime.date(2025, 9, 1),
    )
    burn_down = program_burn_down(program=program, year=2025)
    assert [m.jiwa for m in burn_down.months] == [10] * 6 + [5] * 6
    assert burn_down.pagu == Decimal(10**9)
    assert burn_down.runs_out_in is None


def test_burn_downs_of_several_programs_keep_each_programs_own_enrolment_and_pagu(regions):
    full, short, empty = (ProgramFactory(start_month=datetime.date(2025, 1, 1)) for _ in range(3))
    enrol(full, 10)
    enrol(short, 4, end=datetime.date(2025, 3, 1))
    Budget.objects.create(program=full, fiscal_year=2025, amount=Decimal(10**9), decided_on=datetime.date(2025, 1, 1))
    Budget.objects.create(program=short, fiscal_year=2025, amount=Decimal(1), decided_on=datetime.date(2025, 1, 1))

    together = program_burn_downs(programs=[full, short, empty], year=2025)

    assert [m.jiwa for m in together[full.pk].months] == [10] * 12
    assert [m.jiwa for m in together[short.pk].months] == [4] * 3 + [0] * 9
    assert together[short.pk].runs_out_in == datetime.date(2025, 1, 1) and together[full.pk].runs_out_in is None
    assert together[empty.pk].total == 0 and together[empty.pk].pagu is None
    for program in (full, short, empty):
        assert together[program.pk] == program_burn_down(program=program, year=2025)


def test_what_if_adds_jiwa_from_a_month(regions):
    program = ProgramFactory(start_month=datetime.date(2025, 1, 1))
    enrol(program, 10)
    Budget.objects.create(
        program=program, fiscal_year=2025, amount=Decimal(10 * 16800 * 12), decided_on=datetime.date(2024, 11, 30)
    )
    assert program_burn_down(program=program, year=2025).runs_out_in is None

    what_if = program_burn_down(program=program, year=2025, extra_jiwa=5, extra_from=datetime.date(2025, 10, 1))

    assert [m.jiwa for m in what_if.months][-4:] == [10, 15, 15, 15]
    # Rp168.000 a month for 9 months, then Rp252.000: the pagu of 12 × Rp168.000 no longer covers December.
    assert what_if.runs_out_in == datetime.date(2025, 12, 1)


def test_burn_down_prices_transport_participants_of_csr_programs_with_their_discount(regions):
    program = ProgramFactory(funding_source=FundingSource.SC, start_month=datetime.date(2026, 1, 1))
    enrol(program, 2, start=datetime.date(2026, 1, 1), occupation="ojek")
    enrol(program, 2, start=datetime.date(2026, 1, 1), occupation="petani")
    costs = {m.month.month: m.cost for m in program_burn_down(program=program, year=2026).months}
    assert costs[2] == Decimal(2 * 8400 + 2 * 16800)
    assert costs[5] == Decimal(4 * 8400)


def test_plan_budget_command_prints_jiwa_and_rupiah(capsys):
    call_command("plan_budget", "--population", "15000", "--target", "100", "--year", "2025")
    out = capsys.readouterr().out
    assert "Jiwa: 15.000" in out
    assert "Anggaran iuran: Rp3.024.000.000" in out


def test_plan_budget_command_speaks_json(capsys):
    call_command(
        "plan_budget", "--population", "1000", "--target", "10", "--year", "2026", "--start-month", "2026-11",
        "--funding", "SD", "--json",
    )  # fmt: skip
    payload = json.loads(capsys.readouterr().out)
    assert payload["jiwa"] == 100
    assert payload["total"] == str(100 * 8400 * 2)
    assert [m["month"] for m in payload["months"]] == ["2026-11", "2026-12"]


def test_plan_budget_command_refuses_a_target_above_one_hundred_percent():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="antara 0 dan 100"):
        call_command("plan_budget", "--population", "10", "--target", "120", "--year", "2025")
