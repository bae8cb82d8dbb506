"""The monthly rapat monitoring report: its content, assembled from the same reads the dashboard uses.

The agenda of the meeting (domain brief §8) gives the sections: 1 sampul, 2 ringkasan, 3 kepesertaan,
4 anggaran, 5 klaim dan santunan, 6 perhatian, 7 catatan, 8 lampiran. Every coverage figure comes from
``monitoring.selectors.dashboard_for_user`` (the snapshots), read as the region's own pimpinan would read the
dashboard, and every chart from ``monitoring.charts.dashboard_charts``; claims from ``claims.selectors``, budget
projections from ``programs.planning``. So a figure in the PDF is the figure on the dashboard for the same region
and month. This module only reads; ``monitoring.services`` stores the rendered file.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest

from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from claims.models import ClaimPayment
from claims.selectors import claim_list_for_user, claim_summary, with_late_days
from monitoring.charts import dashboard_charts
from monitoring.coverage import add_months
from monitoring.models import CoverageSnapshot, ReportNote
from monitoring.pdf import static_url
from monitoring.selectors import Dashboard, dashboard_for_user
from participants.models import Enrolment
from programs.models import FundingSource, Program, Region
from programs.planning import BurnDown, plan_budget, plan_child_regions, program_burn_downs
from programs.selectors import program_pagu, program_realisation
from rentan.formatting import format_month, format_number, format_percent, format_rupiah
from rentan.models import User

# Lists in the body of the report stay short; the lampiran carries them whole.
BODY_LIST_LIMIT = 10


def report_reader(region: Region) -> User:
    """The reader whose dashboard the report reproduces: a pimpinan of the region itself (never saved)."""
    return User(username=f"laporan-{region.code}", role=User.Role.PIMPINAN, region_id=region.code, is_active=True)


def _inside(code: str, field_name: str) -> Q:
    return Q(**{field_name: code}) | Q(**{f"{field_name}__startswith": f"{code}."})


@dataclass
class ProgramLine:
    """One program of section 4: its pagu for the year and, for programs of the region and its kab/kota, the
    projection of the budget planner (what its current enrolment costs to December, and when the pagu runs out)."""

    program: Program
    pagu: Decimal | None
    realisasi: Decimal | None
    burn_down: BurnDown | None
    arrears_enrolments: int = 0  # enrolments with unpaid iuran months now (programs.billing.arrears_refresh)
    arrears_months: int = 0

    @property
    def sisa(self) -> Decimal | None:
        if self.pagu is None or self.realisasi is None:
            return None
        return self.pagu - self.realisasi

    @property
    def projected(self) -> Decimal | None:
        return self.burn_down.total if self.burn_down else None

    @property
    def runs_out_in(self) -> datetime.date | None:
        return self.burn_down.runs_out_in if self.burn_down else None


@dataclass
class ProgramGroup:
    """The desa programs of one kab/kota on one line of a province report (they are many and small)."""

    region_name: str
    lines: list[ProgramLine]

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def funding_sources(self) -> str:
        return ", ".join(sorted({line.program.funding_source for line in self.lines}))

    def _total(self, name: str) -> Decimal | None:
        values = [getattr(line, name) for line in self.lines if getattr(line, name) is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def pagu(self) -> Decimal | None:
        return self._total("pagu")

    @property
    def realisasi(self) -> Decimal | None:
        return self._total("realisasi")

    @property
    def sisa(self) -> Decimal | None:
        return self._total("sisa")


@dataclass
class PlanLine:
    """What a region must budget next year to reach the target (``programs.planning.plan_budget``)."""

    name: str
    population: int | None
    population_year: int | None
    jiwa: int | None
    amount: Decimal | None


@dataclass
class DetailGroup:
    """Lampiran B: the places inside one region of section 3, two to a table row.

    A province has some 130 kecamatan; one table row each took four pages and a fifth of the render, and rows of
    three narrow cells left most of the page empty."""

    code: str
    name: str
    places: list[tuple[Region, CoverageSnapshot | None]]

    @property
    def rows(self) -> list[list[tuple[Region, CoverageSnapshot | None]]]:
        return [self.places[i : i + 2] for i in range(0, len(self.places), 2)]


@dataclass
class ReportContent:
    region: Region
    month: datetime.date
    rendered_at: datetime.datetime
    board: Dashboard
    charts: dict
    version: int | None = None
    sentences: list[str] = field(default_factory=list)
    programs: list[ProgramLine] = field(default_factory=list)
    listed_programs: list[ProgramLine] = field(default_factory=list)  # section 4, one line each
    program_groups: list[ProgramGroup] = field(default_factory=list)  # section 4, desa programs per kab/kota
    realisasi_total: Decimal | None = None
    plan_year: int = 0
    plan_percent: Decimal | None = None
    plan_basis: str = ""
    plans: list[PlanLine] = field(default_factory=list)
    claims: dict = field(default_factory=dict)
    claims_previous: dict = field(default_factory=dict)
    payments: list[ClaimPayment] = field(default_factory=list)
    no_program: list[str] = field(default_factory=list)
    no_budget: list[str] = field(default_factory=list)
    overdue: list = field(default_factory=list)
    notes: list[ReportNote] = field(default_factory=list)
    details: list[CoverageSnapshot | None] = field(default_factory=list)
    detail_regions: list[Region] = field(default_factory=list)
    detail_groups: list[DetailGroup] = field(default_factory=list)

    @property
    def data_as_of(self) -> datetime.datetime | None:
        return self.board.computed_at

    @property
    def short_budget(self) -> list[ProgramLine]:
        """Programs whose pagu does not pay their current enrolment to December."""
        return [line for line in self.programs if line.runs_out_in is not None]

    @property
    def in_arrears(self) -> list[ProgramLine]:
        return [line for line in self.programs if line.arrears_enrolments]

    @property
    def child_label(self) -> str:
        level = self.board.child_level
        return str(Region.Level(level).label) if level else ""

    @property
    def sisa_total(self) -> Decimal | None:
        if self.board.pagu is None or self.realisasi_total is None:
            return None
        return self.board.pagu - self.realisasi_total

    @property
    def breakdown_pairs(self) -> list[tuple]:
        """Funding sources and pekerjaan side by side, for one two-part table."""
        funding, occupations = self.board.by_funding, self.board.by_occupation
        return list(zip_longest(funding, occupations))

    @property
    def payments_total(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal(0))


# --- section 2: sentences ----------------------------------------------------------------------------------------
def _points(value: Decimal) -> str:
    return format_number(abs(value), 2)


def _active_sentence(board: Dashboard) -> str:
    now = board.current.active if board.current else 0
    if board.change is None:
        return _("Peserta aktif tercatat %(now)s jiwa; bulan sebelumnya belum dihitung.") % {"now": format_number(now)}
    if board.change > 0:
        text = _("Peserta aktif naik %(change)s jiwa menjadi %(now)s jiwa.")
    elif board.change < 0:
        text = _("Peserta aktif turun %(change)s jiwa menjadi %(now)s jiwa.")
    else:
        text = _("Peserta aktif tetap %(now)s jiwa, sama dengan bulan lalu.")
    return text % {"change": format_number(abs(board.change)), "now": format_number(now)}


def _coverage_sentence(label: str, now: Decimal | None, before: Decimal | None, target: str, missing: str) -> str:
    if now is None:
        return missing
    values = {"label": label, "now": format_percent(now), "target": target}
    if before is None:
        text = _("%(label)s %(now)s%(target)s; bulan sebelumnya belum dihitung.")
    elif now > before:
        text = _("%(label)s naik %(points)s poin menjadi %(now)s%(target)s.")
    elif now < before:
        text = _("%(label)s turun %(points)s poin menjadi %(now)s%(target)s.")
    else:
        text = _("%(label)s tetap %(now)s%(target)s.")
    return text % {**values, "points": _points(now - before) if before is not None else ""}


def _names(names: list[str], limit: int = 4) -> str:
    """A list read aloud stays short: the first few names, then how many more (section 6 names them all)."""
    if len(names) <= limit + 1:
        return ", ".join(names)
    return _("%(names)s dan %(n)s lainnya (lihat bagian 6)") % {
        "names": ", ".join(names[:limit]),
        "n": len(names) - limit,
    }


def _sentences(content: ReportContent) -> list[str]:
    board, now, before = content.board, content.board.current, content.board.previous
    sentences = [_active_sentence(board)]
    if now is None:
        return sentences
    sentences.append(
        _coverage_sentence(
            _("Cakupan UCJ"),
            now.coverage_ucj_pct,
            before.coverage_ucj_pct if before else None,
            _(", dengan target %(target)s") % {"target": format_percent(now.ucj_target_pct)}
            if now.ucj_target_pct is not None
            else "",
            _("Cakupan UCJ belum dapat dihitung: jumlah penduduk bekerja belum diisi."),
        )
    )
    sentences.append(
        _coverage_sentence(
            _("Cakupan pekerja rentan"),
            now.coverage_rentan_pct,
            before.coverage_rentan_pct if before else None,
            _(" dari semesta %(n)s jiwa") % {"n": format_number(now.semesta_rentan)},
            _("Cakupan pekerja rentan belum dapat dihitung: semesta pekerja rentan belum diisi."),
        )
    )
    if now.gap_jiwa:
        sentences.append(
            _(
                "Untuk mencapai target %(target)s jiwa pekerja rentan masih kurang %(gap)s jiwa; "
                "menutup kekurangan itu perlu %(rupiah)s setahun."
            )
            % {
                "target": format_number(now.target_jiwa),
                "gap": format_number(now.gap_jiwa),
                "rupiah": format_rupiah(now.gap_rupiah),
            }
        )
    elif now.gap_jiwa == 0 and now.target_jiwa is not None:
        sentences.append(
            _("Target %(target)s jiwa pekerja rentan sudah tercapai.") % {"target": format_number(now.target_jiwa)}
        )
    year = content.month.year
    if board.pagu is None:
        sentences.append(_("Belum ada pagu %(year)s untuk program di wilayah ini.") % {"year": year})
    else:
        sentences.append(
            _("Pagu %(year)s untuk %(n)s program sebesar %(pagu)s; realisasinya %(real)s, sisa %(rest)s.")
            % {
                "year": year,
                "n": board.pagu_programs,
                "pagu": format_rupiah(board.pagu),
                "real": format_rupiah(content.realisasi_total),
                "rest": format_rupiah(board.pagu - content.realisasi_total),
            }
        )
    claims, before_claims = board.claims or {}, board.claims_previous or {}
    sentences.append(
        _("Bulan ini dibayar %(n)s klaim senilai %(amount)s (bulan lalu %(n0)s klaim, %(amount0)s).")
        % {
            "n": format_number(claims.get("paid_count", 0)),
            "amount": format_rupiah(claims.get("paid_amount", 0)),
            "n0": format_number(before_claims.get("paid_count", 0)),
            "amount0": format_rupiah(before_claims.get("paid_amount", 0)),
        }
    )
    sla = content.claims.get("sla") or {}
    decided = sla.get("on_time", 0) + sla.get("missed", 0)
    if decided:
        sentences.append(
            _(
                "%(on_time)s dari %(decided)s klaim yang jatuh tempo bulan ini dibayar tepat waktu "
                "(kepatuhan SLA %(pct)s)."
            )
            % {
                "on_time": format_number(sla["on_time"]),
                "decided": format_number(decided),
                "pct": format_percent(content.claims["sla_percent"]),
            }
        )
    if content.no_program or content.no_budget:
        names = content.no_program + content.no_budget
        sentences.append(
            ngettext(
                "%(n)s wilayah belum memiliki program atau pagu %(year)s: %(names)s.",
                "%(n)s wilayah belum memiliki program atau pagu %(year)s: %(names)s.",
                len(names),
            )
            % {"n": len(names), "year": year, "names": _names(names)}
        )
    if content.in_arrears:
        sentences.append(
            ngettext(
                "%(n)s program menunggak iuran: %(names)s.",
                "%(n)s program menunggak iuran: %(names)s.",
                len(content.in_arrears),
            )
            % {"n": len(content.in_arrears), "names": ", ".join(line.program.name for line in content.in_arrears)}
        )
    if content.overdue:
        sentences.append(
            ngettext(
                "%(n)s klaim sudah melewati batas waktu bayar.",
                "%(n)s klaim sudah melewati batas waktu bayar.",
                len(content.overdue),
            )
            % {"n": format_number(len(content.overdue))}
        )
    return sentences


# --- section 4: budgets ------------------------------------------------------------------------------------------
def _programs(content: ReportContent) -> None:
    region, year = content.region, content.month.year
    programs = list(
        Program.objects.filter(_inside(region.code, "owner_region__code"))
        .select_related("owner_region")
        .order_by("owner_region_id", "name")
    )
    latest = program_pagu(programs, year)  # the pagu in force: each program's latest revision
    # Realisasi: iuran paid (SP2D) in the fiscal year, summed by the database (programs.billing records it).
    realisation = program_realisation(Program.objects.filter(pk__in=[p.pk for p in programs]), year)
    arrears = {
        program_id: (enrolments, months)
        for program_id, enrolments, months in Enrolment.objects.filter(program__in=programs, arrears_months__gt=0)
        .values_list("program_id")
        .annotate(Count("pk"), Sum("arrears_months"))
        .order_by()
    }
    # The dashboard's own total (the same programs and payments), so the two never disagree.
    content.realisasi_total = content.board.realisasi
    # The planner's projection for the programs of the region and its kab/kota (desa programs are many and small:
    # their pagu is listed, their projection left out to keep the report quick).
    burn_downs = program_burn_downs(
        programs=[p for p in programs if p.pk in latest and p.owner_region.level <= Region.Level.KABKOTA], year=year
    )
    lines = []
    for program in programs:
        pagu = latest.get(program.pk)
        if pagu is None and program.pk not in arrears and not program_active_in_year(program, year):
            continue
        burn_down = burn_downs.get(program.pk)
        real = realisation.get(program.pk, Decimal(0))
        owed = arrears.get(program.pk, (0, 0))
        lines.append(
            ProgramLine(
                program=program,
                pagu=pagu,
                realisasi=real,
                burn_down=burn_down,
                arrears_enrolments=owed[0],
                arrears_months=owed[1],
            )
        )
    content.programs = lines
    # A province has hundreds of desa programs: section 4 sums them per kab/kota (each one's pagu still counts in
    # the total, and one in arrears is still named in section 6).
    if region.level == Region.Level.PROVINSI:
        content.listed_programs = [line for line in lines if line.program.owner_region.level <= Region.Level.KABKOTA]
        grouped: dict[str, list[ProgramLine]] = {}
        for line in lines:
            if line.program.owner_region.level > Region.Level.KABKOTA:
                grouped.setdefault(line.program.owner_region_id[:5], []).append(line)
        names = dict(Region.objects.filter(code__in=grouped).values_list("code", "name"))
        content.program_groups = [ProgramGroup(names.get(code, code), grouped[code]) for code in sorted(grouped)]
    else:
        content.listed_programs = lines

    # Who has not budgeted: the kab/kota of a province (or the region itself below that).
    if region.level == Region.Level.PROVINSI:
        watched = list(Region.objects.filter(parent=region).order_by("code"))
    else:
        watched = [region]
    owners = {p.owner_region_id for p in programs}
    budgeted = {p.owner_region_id for p in programs if latest.get(p.pk)}
    for place in watched:
        inside = [code for code in owners if place.contains(code)]
        if not inside:
            content.no_program.append(place.display_name)
        elif not any(place.contains(code) for code in budgeted):
            content.no_budget.append(place.display_name)


def program_active_in_year(program: Program, year: int) -> bool:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    return program.start_month <= last and (program.end_month is None or program.end_month >= first)


def _plans(content: ReportContent) -> None:
    """What each kab/kota (or the region itself) must budget next year to reach the region's target share."""
    now = content.board.current
    content.plan_year = content.month.year + 1
    if now is None:
        return
    if now.rentan_target_pct is not None:
        content.plan_percent = now.rentan_target_pct
        content.plan_basis = _("target jiwa pekerja rentan ÷ semesta pekerja rentan wilayah ini")
    elif now.ucj_target_pct is not None:
        content.plan_percent = now.ucj_target_pct
        content.plan_basis = _("target UCJ wilayah ini")
    else:
        return
    funding = now.typical_funding_source or FundingSource.SG
    region = content.region
    if region.level == Region.Level.PROVINSI:
        rows = plan_child_regions(
            region=region, year=content.plan_year, target_percent=content.plan_percent, funding_source=funding
        )
        content.plans = [
            PlanLine(
                row.region.display_name,
                row.population,
                row.population_year,
                row.plan.jiwa if row.plan else None,
                row.plan.total if row.plan else None,
            )
            for row in rows
        ]
    elif now.semesta_rentan:
        plan = plan_budget(
            population=now.semesta_rentan,
            target_percent=content.plan_percent,
            year=content.plan_year,
            funding_source=funding,
        )
        content.plans = [PlanLine(region.display_name, now.semesta_rentan, now.targets_year, plan.jiwa, plan.total)]


# --- sections 5, 6, 8 ----------------------------------------------------------------------------------------------
def _payments(region: Region, month: datetime.date) -> list[ClaimPayment]:
    """Santunan paid in the month (the payments ``claim_summary`` counts), oldest first."""
    end = add_months(month, 1) - datetime.timedelta(days=1)
    return list(
        ClaimPayment.objects.filter(_inside(region.code, "claim__participant__desa__code"))
        .filter(paid_on__range=(month, end))
        .select_related("claim__participant__desa", "recipient")
        .order_by("paid_on", "pk")
    )


def _details(content: ReportContent) -> None:
    """The lampiran's detail table: one level below the chart's regions (kecamatan of a province, desa of a
    kab/kota), from the same snapshot rows."""
    codes = [row.code for row in content.board.rows]
    if not codes or content.board.child_level is None or content.board.child_level >= Region.Level.DESA:
        return
    regions = list(Region.objects.filter(parent_id__in=codes).order_by("code"))
    snapshots = {
        s.region_id: s
        for s in CoverageSnapshot.objects.filter(
            parent_code__in=codes, month=content.month, program=None, funding_source=""
        )
    }
    content.detail_regions = regions
    content.details = [snapshots.get(r.code) for r in regions]
    inside: dict[str, list] = {}
    for place, snapshot in zip(regions, content.details, strict=True):
        inside.setdefault(place.parent_id, []).append((place, snapshot))
    content.detail_groups = [
        DetailGroup(code, name, inside[code])
        for code, name in sorted((row.code, row.name) for row in content.board.rows)
        if code in inside
    ]


def report_content(
    *, region: Region, month: datetime.date, rendered_at: datetime.datetime | None = None, version: int | None = None
) -> ReportContent:
    """Everything the report of ``region`` for ``month`` shows, read once (the month must have a snapshot)."""
    reader = report_reader(region)
    board = dashboard_for_user(user=reader, code=region.code, month=month)
    if board.month != month:
        raise MonthNotComputed(month)
    rendered_at = rendered_at or timezone.now()
    content = ReportContent(
        region=region,
        month=month,
        rendered_at=rendered_at,
        board=board,
        charts=dashboard_charts(board),
        version=version,
    )
    today = timezone.localdate(rendered_at)
    content.claims = claim_summary(region_code=region.code, month=month, today=today)
    content.claims_previous = claim_summary(region_code=region.code, month=add_months(month, -1), today=today)
    content.payments = _payments(region, month)
    content.overdue = list(with_late_days(claim_list_for_user(user=reader, overdue=True, today=today), today=today))
    _programs(content)
    _plans(content)
    _details(content)
    content.notes = list(
        ReportNote.objects.filter(region=region, month=month).select_related("author").order_by("kind", "created_at")
    )
    content.sentences = _sentences(content)
    return content


class MonthNotComputed(Exception):
    """The coverage snapshot of the month does not exist: there is nothing to report yet."""

    def __init__(self, month: datetime.date):
        super().__init__(
            _("Ringkasan cakupan %(month)s belum dihitung; jalankan perhitungan cakupan dulu.")
            % {"month": format_month(month)}
        )


def report_html(content: ReportContent) -> str:
    return render_to_string(
        "monitoring/report/report.html",
        {
            "r": content,
            "board": content.board,
            "now": content.board.current,
            "stylesheet": static_url("css/report.css"),
            "body_limit": BODY_LIST_LIMIT,
        },
    )
