"""Reads for the dashboard and its export: snapshots only, scoped to the user, a fixed number of queries.

Nothing here touches the participants or enrolments tables: every figure comes from ``CoverageSnapshot`` and
its per-pekerjaan counts (written by the coverage job), the claims figures from ``claims.selectors.claim_summary``,
the pagu from the budget rows. The number of queries does not grow with the data: one query per kind of figure,
whatever the number of participants, months or child regions.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404

from claims.selectors import claim_summary
from monitoring.coverage import MONTHS_CACHE_KEY, add_months, current_month
from monitoring.models import CoverageMonth, CoverageRun, CoverageSnapshot, MonitoringReport, ReportNote
from programs.models import FundingSource, Occupation, Program, Region, RegionBoundary, RegionTarget
from programs.selectors import (
    program_pagu,
    program_realisation,
    region_breadcrumb_for_user,
    region_get_for_user,
    region_roots_for_user,
)
from rentan.access import region_q

TREND_MONTHS = 12
MONTHS_CACHE_SECONDS = 60  # a safety net: the job forgets the list itself when it writes a month


class Measure:
    """Which coverage the chart, map and ranking show: UCJ (÷ penduduk bekerja) or pekerja rentan (÷ semesta)."""

    UCJ = "ucj"
    RENTAN = "rentan"
    CHOICES = (UCJ, RENTAN)

    @staticmethod
    def value(snapshot: CoverageSnapshot | None, measure: str) -> Decimal | None:
        if snapshot is None:
            return None
        return snapshot.coverage_rentan_pct if measure == Measure.RENTAN else snapshot.coverage_ucj_pct

    @staticmethod
    def target(snapshot: CoverageSnapshot | None, measure: str) -> Decimal | None:
        if snapshot is None:
            return None
        return snapshot.rentan_target_pct if measure == Measure.RENTAN else snapshot.ucj_target_pct


@dataclass
class RegionRow:
    """One child region in the dashboard's table, chart and map."""

    code: str
    name: str
    level: int
    current: CoverageSnapshot | None
    previous: CoverageSnapshot | None
    measure: str

    @property
    def active(self) -> int:
        return self.current.active if self.current else 0

    @property
    def change(self) -> int | None:
        """Change of active participants from the previous month; None when that month was not computed."""
        if self.previous is None:
            return None
        return self.active - self.previous.active

    @property
    def value(self) -> Decimal | None:
        return Measure.value(self.current, self.measure)

    @property
    def target(self) -> Decimal | None:
        return Measure.target(self.current, self.measure)

    @property
    def has_children(self) -> bool:
        return self.level < Region.Level.DESA

    def sort_key(self):
        """Worst first: furthest below target, then lowest coverage without a target, then regions without data."""
        value, target = self.value, self.target
        if value is None:
            return (2, Decimal(0), self.name)
        if target:
            return (0, value / target, self.name)
        return (1, value, self.name)


@dataclass
class Dashboard:
    """Everything one dashboard page (or its export) shows, read once."""

    region: Region | None  # None: the user's several scope roots (or, for administrators, every province)
    roots: list[Region]
    breadcrumb: list[Region]
    month: datetime.date | None  # None: nothing computed yet
    months: list[datetime.date]
    measure: str
    program: Program | None
    funding_source: str
    program_choices: list[Program]
    current: CoverageSnapshot | None = None
    previous: CoverageSnapshot | None = None
    trend: list[tuple[datetime.date, CoverageSnapshot | None]] = field(default_factory=list)
    rows: list[RegionRow] = field(default_factory=list)
    by_funding: list[tuple[str, str, int]] = field(default_factory=list)
    by_occupation: list[tuple[str, int]] = field(default_factory=list)
    boundaries: dict[str, dict] = field(default_factory=dict)
    claims: dict | None = None
    claims_previous: dict | None = None
    pagu: Decimal | None = None
    pagu_programs: int = 0
    realisasi: Decimal = Decimal(0)
    computed_at: datetime.datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def previous_month(self) -> datetime.date | None:
        return add_months(self.month, -1) if self.month else None

    @property
    def realisasi_pct(self) -> Decimal | None:
        """Realisasi as a percentage of the pagu (None without a pagu)."""
        if not self.pagu:
            return None
        return self.realisasi * 100 / self.pagu

    @property
    def is_filtered(self) -> bool:
        return self.program is not None or bool(self.funding_source)

    @property
    def child_level(self) -> int | None:
        if self.region is None:
            return self.roots[0].level if self.roots else None
        return self.region.level + 1 if self.region.level < Region.Level.DESA else None

    @property
    def change(self) -> int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current.active - self.previous.active

    @property
    def value(self) -> Decimal | None:
        return Measure.value(self.current, self.measure)

    @property
    def target(self) -> Decimal | None:
        return Measure.target(self.current, self.measure)

    @property
    def value_change(self) -> Decimal | None:
        """Change of the measured coverage from last month, in percentage points."""
        now, before = self.value, Measure.value(self.previous, self.measure)
        return now - before if now is not None and before is not None else None


def _sum_snapshots(snapshots: list[CoverageSnapshot], month) -> CoverageSnapshot | None:
    """The figures of several disjoint regions together; a denominator only when every region has it."""
    if not snapshots:
        return None
    if len(snapshots) == 1:
        return snapshots[0]

    def total(name):
        values = [getattr(s, name) for s in snapshots]
        return None if any(v is None for v in values) else sum(values)

    occupations = {}
    for snapshot in snapshots:
        for key, count in (snapshot.by_occupation or {}).items():
            occupations[key] = occupations.get(key, 0) + count
    penduduk = total("penduduk_bekerja")
    ucj_target = None
    if penduduk and all(s.ucj_target_pct is not None for s in snapshots):
        weighted = sum(s.ucj_target_pct * s.penduduk_bekerja for s in snapshots)
        ucj_target = (weighted / penduduk).quantize(Decimal("0.01"))
    return CoverageSnapshot(
        month=month,
        active=sum(s.active for s in snapshots),
        active_male=sum(s.active_male for s in snapshots),
        active_female=sum(s.active_female for s in snapshots),
        penduduk_bekerja=penduduk,
        semesta_rentan=total("semesta_rentan"),
        ucj_target_pct=ucj_target,
        target_jiwa=total("target_jiwa"),
        gap_jiwa=total("gap_jiwa"),
        gap_rupiah=total("gap_rupiah"),
        by_occupation=occupations,
    )


def _inside(codes: list[str], field: str) -> Q:
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})
    return condition


def _program_choices(user, region: Region | None, wanted: str) -> list[Program]:
    """Programs offered by the filter: those of the region and above, and of the kab/kota inside it.

    Desa programs (there may be thousands in a province) are offered from the kecamatan down; a program named in
    the request is included when the user may see it, wherever it is owned.
    """
    near = Q(owner_region__level__lte=Region.Level.KABKOTA)
    if region is not None:
        inside = Q(owner_region__code__startswith=f"{region.code}.")
        if region.level < Region.Level.KECAMATAN:
            inside &= Q(owner_region__level__lte=Region.Level.KABKOTA)
        near = Q(owner_region_id__in=[*region.ancestor_codes(), region.code]) | inside
    if wanted:
        near |= Q(code=wanted)
    return list(
        Program.objects.for_user(user).filter(near).select_related("owner_region").order_by("owner_region_id", "name")
    )


def _budget(codes: list[str], year: int, program: Program | None, funding_source: str):
    """Pagu in force for ``year`` and realisasi of the programs owned inside the regions.

    Pagu: the latest revision of each program (``programs.selectors.program_pagu``), in one query for all
    programs. Realisasi: iuran
    paid by SP2D in the fiscal year (``programs.selectors.program_realisation``), for every program owned there,
    whether or not it has a pagu. Returns (pagu or None, programs with a pagu, realisasi).
    """
    programs = Program.objects.filter(_inside(codes, "owner_region__code"))
    if program is not None:
        programs = programs.filter(pk=program.pk)
    if funding_source:
        programs = programs.filter(funding_source=funding_source)
    latest = program_pagu(programs, year)
    realisasi = sum(program_realisation(programs, year).values(), Decimal(0))
    return (sum(latest.values(), Decimal(0)) if latest else None), len(latest), realisasi


def _claims(user, region: Region | None, roots: list[Region], month) -> dict:
    """``claim_summary`` of the region (or of each root, added up): paid count, Rupiah, beasiswa children."""
    if region is not None:
        summary = claim_summary(region_code=region.code, month=month)
        return {k: summary[k] for k in ("paid_count", "paid_amount", "beasiswa_children", "reported_total")}
    # Administrators: every region, in one summary ("" means no region filter).
    codes = [""] if user.scope_region_codes() is None else [root.code for root in roots]
    totals = {"paid_count": 0, "paid_amount": Decimal(0), "beasiswa_children": 0, "reported_total": 0}
    for code in codes:
        summary = claim_summary(region_code=code, month=month)
        for key in totals:
            totals[key] += summary[key]
    return totals


@dataclass(frozen=True)
class Scope:
    """Whose dashboard: one region, or the user's several scope roots side by side."""

    region: Region | None
    roots: list[Region]
    key: str  # what the user may see (their scope codes): part of every cache key of their pages

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.roots]


def scope_key(user) -> str:
    """What a user may see, as text: two users with the same key see exactly the same dashboards."""
    codes = user.scope_region_codes()
    return "*" if codes is None else ",".join(codes)


def dashboard_scope_for_user(*, user, code: str | None = None) -> Scope:
    """The region asked for (404 outside the user's scope), or the user's own roots."""
    key = scope_key(user)
    if code:
        region = region_get_for_user(user=user, code=code)
        return Scope(region=region, roots=[region], key=key)
    roots = list(region_roots_for_user(user=user))
    if not roots:
        raise Http404
    return Scope(region=roots[0] if len(roots) == 1 else None, roots=roots, key=key)


def coverage_month_versions() -> list[tuple[datetime.date, datetime.datetime]]:
    """The computed months, newest first, with when each was computed.

    Cached: every dashboard request asks, and only the coverage job changes the answer (it forgets the cached one).
    """
    versions = cache.get(MONTHS_CACHE_KEY)
    if versions is None:
        versions = list(CoverageMonth.objects.order_by("-month").values_list("month", "computed_at"))
        cache.set(MONTHS_CACHE_KEY, versions, MONTHS_CACHE_SECONDS)
    return versions


def resolve_month(versions, wanted: datetime.date | None) -> tuple[datetime.date | None, bool]:
    """The month to show: the one asked for if computed, else the latest up to this month; (month, refused)."""
    months = [m for m, _ in versions]
    if wanted is not None and wanted in months:
        return wanted, False
    default = next((m for m in months if m <= current_month()), months[0] if months else None)
    return default, wanted is not None


def coverage_run_latest() -> CoverageRun | None:
    return CoverageRun.objects.order_by("-created_at", "-pk").first()


def dashboard_for_user(
    *,
    user,
    code: str | None = None,
    month: datetime.date | None = None,
    program_code: str = "",
    funding_source: str = "",
    measure: str = Measure.UCJ,
    with_claims: bool = True,
    scope: Scope | None = None,
    versions: list | None = None,
) -> Dashboard:
    """The dashboard of region ``code`` (or of the user's whole scope) for ``month`` (or the latest computed).

    A region outside the user's scope answers like a missing one (404). Filters that do not apply (a program the
    user may not see, a month not computed) are dropped and said so in ``problems``. ``scope`` and ``versions``
    may be passed when the caller has read them already.
    """
    scope = scope or dashboard_scope_for_user(user=user, code=code)
    region, roots = scope.region, scope.roots
    breadcrumb = region_breadcrumb_for_user(user=user, region=region) if region is not None else []
    problems = []
    measure = measure if measure in Measure.CHOICES else Measure.UCJ
    if funding_source and funding_source not in FundingSource.values:
        problems.append("funding")
        funding_source = ""
    choices = _program_choices(user, region, program_code)
    program = next((p for p in choices if p.code == program_code), None) if program_code else None
    if program_code and program is None:
        problems.append("program")

    versions = coverage_month_versions() if versions is None else versions
    month, refused = resolve_month(versions, month)
    if refused:
        problems.append("month")
    board = Dashboard(
        region=region,
        roots=roots,
        breadcrumb=breadcrumb,
        month=month,
        months=[m for m, _ in versions],
        measure=measure,
        program=program,
        funding_source=funding_source,
        program_choices=choices,
        problems=problems,
    )
    if month is None:
        return board

    board.computed_at = dict(versions)[month]
    previous_month = add_months(month, -1)
    codes = [r.code for r in roots]
    filters = {"program": program, "funding_source": funding_source}

    # The region itself (or its roots) over 12 months: trend, headline and change from last month.
    first = add_months(month, -(TREND_MONTHS - 1))
    wanted = Q(month__gte=first, month__lte=month, **filters)
    if board.is_filtered:  # the total rows of the month too, for the per-pekerjaan counts (one query either way)
        wanted |= Q(month=month, program=None, funding_source="")
    fetched = list(CoverageSnapshot.objects.filter(wanted, region_id__in=codes))
    program_id = program.pk if program else None
    own = [s for s in fetched if s.program_id == program_id and s.funding_source == funding_source]
    totals = [s for s in fetched if s.month == month and s.program_id is None and not s.funding_source]
    by_month: dict[datetime.date, list[CoverageSnapshot]] = {}
    for snapshot in own:
        by_month.setdefault(snapshot.month, []).append(snapshot)
    board.trend = [
        (m, _sum_snapshots(by_month.get(m, []), m)) for m in (add_months(first, i) for i in range(TREND_MONTHS))
    ]
    board.current = board.trend[-1][1]
    board.previous = board.trend[-2][1]

    # Child regions (all of them, with or without a snapshot row), worst first.
    if region is None:
        children = roots
        child_rows = own
    elif region.level < Region.Level.DESA:
        children = list(Region.objects.filter(parent=region).order_by("code"))
        child_rows = list(
            CoverageSnapshot.objects.filter(parent_code=region.code, month__in=[month, previous_month], **filters)
        )
    else:
        children, child_rows = [], []
    current = {s.region_id: s for s in child_rows if s.month == month}
    before = {s.region_id: s for s in child_rows if s.month == previous_month}
    rows = [
        RegionRow(c.code, c.display_name, c.level, current.get(c.code), before.get(c.code), measure) for c in children
    ]
    board.rows = sorted(rows, key=RegionRow.sort_key)

    if board.child_level == Region.Level.KABKOTA and children:
        board.boundaries = dict(
            RegionBoundary.objects.filter(region_id__in=[c.code for c in children]).values_list("region_id", "geometry")
        )

    funding = {}
    for source, active in CoverageSnapshot.objects.filter(
        region_id__in=codes, month=month, program=program, funding_source__gt=""
    ).values_list("funding_source", "active"):
        funding[source] = funding.get(source, 0) + active
    if funding_source:
        funding = {funding_source: funding.get(funding_source, 0)}
    labels = dict(FundingSource.choices)
    board.by_funding = sorted(
        ((source, str(labels.get(source, source)), n) for source, n in funding.items()), key=lambda x: -x[2]
    )

    # Per pekerjaan: from the total rows (all programs and funding sources), whatever the filters.
    counts = {}
    for snapshot in totals:
        for key, count in (snapshot.by_occupation or {}).items():
            counts[key] = counts.get(key, 0) + count
    names = dict(Occupation.objects.values_list("pk", "name"))  # a short list, read whole: one query always
    board.by_occupation = sorted(
        ((names.get(int(k), k), n) for k, n in counts.items() if n), key=lambda x: (-x[1], x[0])
    )

    board.pagu, board.pagu_programs, board.realisasi = _budget(codes, month.year, program, funding_source)
    if with_claims:
        board.claims = _claims(user, region, roots, month)
        board.claims_previous = _claims(user, region, roots, previous_month)
    return board


# --- targets -----------------------------------------------------------------------------------------------------
def region_target_list_for_user(*, user, year: int | None = None, region_code: str = ""):
    targets = RegionTarget.objects.for_user(user).select_related("region")
    if year:
        targets = targets.filter(year=year)
    if region_code:
        targets = targets.filter(Q(region__code=region_code) | Q(region__code__startswith=f"{region_code}."))
    return targets.order_by("region_id", "-year", "indicator")


def region_target_get_for_user(*, user, pk: int) -> RegionTarget:
    target = RegionTarget.objects.filter(region_q(user, "region__code"), pk=pk).select_related("region").first()
    if target is None:
        raise Http404
    return target


def coverage_run_get(*, pk: int) -> CoverageRun:
    """A run holds no regional data (months, progress, counts): any signed-in user may follow it."""
    run = CoverageRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


# --- monthly reports ---------------------------------------------------------------------------------------------
def report_regions_for_user(*, user) -> list[Region]:
    """The regions whose reports a user may list: their scope roots and the kab/kota inside them."""
    roots = list(region_roots_for_user(user=user))
    kabkota = Region.objects.for_user(user).filter(level=Region.Level.KABKOTA)
    return sorted({*roots, *kabkota}, key=lambda region: region.code)


def report_list_for_region(*, region: Region):
    """Every version of every month of one region (the caller got the region through the user's scope)."""
    return MonitoringReport.objects.filter(region=region).select_related("requested_by").order_by("-month", "-version")


def report_latest_by_region(*, regions: list[Region]) -> dict[str, MonitoringReport]:
    """The newest finished report of each region, in one query."""
    latest = {}
    for report in MonitoringReport.objects.filter(region__in=regions, status=MonitoringReport.Status.DONE).order_by(
        "region_id", "-month", "-version"
    ):
        latest.setdefault(report.region_id, report)
    return latest


def report_get_for_user(*, user, pk: int) -> MonitoringReport:
    """A report of a region inside the user's scope; any other answers like a missing one."""
    report = MonitoringReport.objects.filter(region_q(user, "region__code"), pk=pk).select_related("region").first()
    if report is None:
        raise Http404
    return report


def report_note_list(*, region: Region, month: datetime.date):
    return ReportNote.objects.filter(region=region, month=month).select_related("author").order_by("kind", "created_at")


def report_note_get_for_user(*, user, pk: int) -> ReportNote:
    note = ReportNote.objects.filter(region_q(user, "region__code"), pk=pk).select_related("region", "author").first()
    if note is None:
        raise Http404
    return note
