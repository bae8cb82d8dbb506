"""Budget planning: how many jiwa a pagu protects, what a target costs, when a program's pagu runs out.

Every Rupiah comes from ``programs.rates`` month by month, so the PP 50/2025 discount months are priced as they
are billed. Domain brief §2: ``jiwa = floor(target% × eligible population)``; ``annual iuran = Σ months of
jiwa × monthly iuran`` (12 months, or the months left for a mid-year start). Published check: PPU 2025,
15.000 jiwa × Rp16.800 × 12 = Rp3.024.000.000.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, F, Q

from programs.models import FundingSource, Program, Region, RegionTarget
from programs.rates import RateBook, iuran_for_month
from programs.selectors import program_pagu

DEFAULT_INCOME_BRACKET = Decimal("1000000")


def months_of_year(year: int, start: datetime.date | None = None) -> list[datetime.date]:
    first = start.month if start and start.year == year else 1
    return [datetime.date(year, month, 1) for month in range(first, 13)]


def jiwa_for_target(population: int, target_percent: Decimal) -> int:
    """``floor(target% × population)``: a plan never promises a fraction of a person."""
    return int((Decimal(population) * Decimal(target_percent) / 100).to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class PlannedMonth:
    month: datetime.date
    jiwa: int
    iuran_per_jiwa: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BudgetPlan:
    population: int
    target_percent: Decimal
    jiwa: int
    funding_source: str
    months: tuple[PlannedMonth, ...]

    @property
    def total(self) -> Decimal:
        return sum((m.amount for m in self.months), Decimal(0))


def _hypothetical_program(funding_source: str, package: str, income_bracket: Decimal, is_transport: bool) -> Program:
    """An unsaved program carrying just what the rate function reads."""
    return Program(
        funding_source=funding_source, package=package, income_bracket=income_bracket, is_transport=is_transport
    )


def plan_budget(
    *,
    population: int,
    target_percent: Decimal,
    year: int,
    start_month: datetime.date | None = None,
    funding_source: str = FundingSource.SG,
    package: str = Program.Package.JKK_JKM,
    income_bracket: Decimal = DEFAULT_INCOME_BRACKET,
    is_transport: bool = False,
    rates: RateBook | None = None,
) -> BudgetPlan:
    """The jiwa and the Rupiah needed in ``year`` to cover ``target_percent`` of ``population``."""
    rates = rates or RateBook.load()
    program = _hypothetical_program(funding_source, package, income_bracket, is_transport)
    jiwa = jiwa_for_target(population, target_percent)
    months = []
    for month in months_of_year(year, start_month):
        iuran = iuran_for_month(program=program, is_transport=is_transport, month=month, rates=rates).total
        months.append(PlannedMonth(month=month, jiwa=jiwa, iuran_per_jiwa=iuran, amount=iuran * jiwa))
    return BudgetPlan(
        population=population,
        target_percent=Decimal(target_percent),
        jiwa=jiwa,
        funding_source=funding_source,
        months=tuple(months),
    )


@dataclass(frozen=True)
class RegionPlan:
    region: Region
    population: int | None
    population_year: int | None
    plan: BudgetPlan | None


def plan_child_regions(
    *, region: Region, year: int, target_percent: Decimal, funding_source: str = FundingSource.SG
) -> list[RegionPlan]:
    """ "What each kab/kota must budget in ``year`` to reach X%": one plan per child region of ``region``.

    The population is each child's latest semesta pekerja rentan (RegionTarget) of ``year`` or before.
    """
    rates = RateBook.load()
    children = list(region.children.order_by("code"))
    latest: dict[str, RegionTarget] = {}
    for target in RegionTarget.objects.filter(
        region__in=children, indicator=RegionTarget.Indicator.SEMESTA_RENTAN, year__lte=year
    ).order_by("region_id", "year"):
        latest[target.region_id] = target
    rows = []
    for child in children:
        target = latest.get(child.code)
        if target is None:
            rows.append(RegionPlan(region=child, population=None, population_year=None, plan=None))
            continue
        population = int(target.value)
        plan = plan_budget(
            population=population,
            target_percent=target_percent,
            year=year,
            funding_source=funding_source,
            rates=rates,
        )
        rows.append(RegionPlan(region=child, population=population, population_year=target.year, plan=plan))
    return rows


@dataclass(frozen=True)
class BurnDownMonth:
    month: datetime.date
    jiwa: int
    cost: Decimal
    cumulative: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class BurnDown:
    program: Program
    year: int
    pagu: Decimal | None
    months: tuple[BurnDownMonth, ...]
    extra_jiwa: int
    extra_from: datetime.date | None

    @property
    def total(self) -> Decimal:
        return self.months[-1].cumulative if self.months else Decimal(0)

    @property
    def runs_out_in(self) -> datetime.date | None:
        """The first month whose iuran the pagu can no longer pay in full."""
        if self.pagu is None:
            return None
        return next((m.month for m in self.months if m.cumulative > self.pagu), None)


def current_pagu(program: Program, year: int) -> Decimal | None:
    """The pagu in force: the latest revision (APBD-P after murni) decided for that fiscal year."""
    return program_pagu([program], year).get(program.pk)


def _active_counts(programs: list[Program], months: list[datetime.date]) -> dict[int, list[dict]]:
    """Active enrolments per program and month, by transport flag and funding source: one grouped query."""
    aggregates = {
        f"m{i}": Count(
            "enrolments",
            filter=Q(enrolments__start_month__lte=m)
            & (Q(enrolments__end_month__isnull=True) | Q(enrolments__end_month__gte=m)),
        )
        for i, m in enumerate(months)
    }
    groups: dict[int, list[dict]] = {program.pk: [] for program in programs}
    for row in (
        Program.objects.filter(pk__in=[program.pk for program in programs])
        .values(
            "pk",
            transport_job=F("enrolments__participant__pekerjaan__is_transport"),
            enrolment_funding=F("enrolments__funding_source"),
        )
        .annotate(**aggregates)
        .order_by()
    ):
        groups[row["pk"]].append(row)
    return groups


def program_burn_down(
    *, program: Program, year: int, extra_jiwa: int = 0, extra_from: datetime.date | None = None
) -> BurnDown:
    """Month by month, what the current enrolment (plus a what-if of ``extra_jiwa`` from ``extra_from``) costs
    against the pagu of ``year``; ``runs_out_in`` is the month the pagu no longer covers."""
    return program_burn_downs(programs=[program], year=year, extra_jiwa=extra_jiwa, extra_from=extra_from)[program.pk]


def program_burn_downs(
    *, programs: list[Program], year: int, extra_jiwa: int = 0, extra_from: datetime.date | None = None
) -> dict[int, BurnDown]:
    """``program_burn_down`` of several programs, by program id: one query for their enrolments, one for their
    pagu, the rates loaded once (the monthly report projects a province's and its kab/kota's programs together)."""
    rates = RateBook.load()
    months = months_of_year(year)
    counts = _active_counts(programs, months)
    pagus = program_pagu(programs, year)
    return {
        program.pk: _burn_down(
            program, year, months, counts[program.pk], pagus.get(program.pk), rates, extra_jiwa, extra_from
        )
        for program in programs
    }


def _burn_down(
    program: Program,
    year: int,
    months: list[datetime.date],
    groups: list[dict],
    pagu: Decimal | None,
    rates: RateBook,
    extra_jiwa: int,
    extra_from: datetime.date | None,
) -> BurnDown:
    rows = []
    cumulative = Decimal(0)
    for i, month in enumerate(months):
        jiwa, cost = 0, Decimal(0)
        for group in groups:
            count = group[f"m{i}"]
            if count:
                is_transport = bool(group["transport_job"] or program.is_transport)
                quote = iuran_for_month(
                    program=program,
                    is_transport=is_transport,
                    month=month,
                    funding_source=group["enrolment_funding"],
                    rates=rates,
                )
                jiwa += count
                cost += quote.total * count
        if extra_jiwa and extra_from and month >= extra_from:
            quote = iuran_for_month(program=program, is_transport=program.is_transport, month=month, rates=rates)
            jiwa += extra_jiwa
            cost += quote.total * extra_jiwa
        cumulative += cost
        remaining = (pagu - cumulative) if pagu is not None else Decimal(0)
        rows.append(BurnDownMonth(month=month, jiwa=jiwa, cost=cost, cumulative=cumulative, remaining=remaining))
    return BurnDown(
        program=program, year=year, pagu=pagu, months=tuple(rows), extra_jiwa=extra_jiwa, extra_from=extra_from
    )
