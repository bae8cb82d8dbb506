"""The coverage job: from enrolments to a snapshot of every region at every level for one month, in set-based SQL.

How one month is computed (``coverage_compute_month``), all inside one transaction:

1. **Active NIK per desa.** Every enrolment active in the month (:func:`enrolment_active_sql`, the one place that
   rule lives), one per participant (a NIK paid twice in a month counts once, under its earliest-starting
   enrolment, then the lowest id: so every breakdown adds up to the total), joined to the participant for desa,
   pekerjaan and sex, grouped into cells ``(desa, program, funding source, pekerjaan, sex) → n``. This is the only
   step that reads the big tables: one ``CREATE TEMP TABLE … AS SELECT`` (a hash join and a hash aggregate). The
   one-enrolment-per-NIK pick is ``DISTINCT ON`` on PostgreSQL and a window function on SQLite, and is skipped
   where PostgreSQL's one-payer check (participants migration 0008) already makes a second payer in one month
   impossible.
2. **Roll-up by code prefix.** Region codes nest (``17`` → ``17.71`` → ``17.71.05`` → ``17.71.05.1001``), so the
   kecamatan, kab/kota and provinsi figures are ``GROUP BY substr(code, 1, 8 | 5 | 2)`` over the desa cells: no
   join to the region tree, no recursion. Each region gets four kinds of rows: all programs and funding sources
   (its total), per program, per funding source, per program and funding source.
3. **Denominators and gap.** The latest ``RegionTarget`` of each indicator up to the month's year; coverage % is
   derived from the stored integers (``CoverageSnapshot.coverage_ucj_pct``). The total row carries the gap to the
   target jiwa and its cost for a year: gap × the monthly iuran × 12, priced by ``programs.rates`` for the month
   and the region's typical funding source (the one paying for most of its active participants; SG without any),
   and the counts per pekerjaan as one JSON object.
4. **Replace the month.** ``DELETE`` the month's rows, ``INSERT … SELECT`` the new ones. Readers see the old rows
   until the commit and the new ones after it, never a mix.

Consistency while imports run: on PostgreSQL the transaction is ``REPEATABLE READ``, so every step reads the same
snapshot of enrolments and participants even if an import commits halfway; on SQLite (WAL) a transaction reads
one snapshot anyway. A session-level advisory lock keeps two jobs from replacing the same month at once.
"""

# ruff: noqa: S608 - the SQL below is assembled from this module's own constants; values are bound parameters.

import datetime
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from monitoring.models import CoverageMonth, CoverageRun
from participants.models import Enrolment
from programs.models import FundingSource, Program
from programs.planning import DEFAULT_INCOME_BRACKET
from programs.rates import IuranRuleError, RateBook, iuran_for_month

logger = logging.getLogger(__name__)

# The funding source that prices the gap of a region without any active participant (domain brief: pemda APBD).
DEFAULT_FUNDING_SOURCE = FundingSource.SG
# Code lengths of the four levels: provinsi "17", kab/kota "17.71", kecamatan "17.71.05", desa "17.71.05.1001".
LEVEL_CODE_LENGTHS = (2, 5, 8, 13)
# Memory for the one-off sorts and hashes of the job (a session setting, only inside the job's transaction).
JOB_WORK_MEM = "256MB"
ADVISORY_LOCK_KEY = 0x52454E54414E  # "RENTAN": one coverage job at a time per database
# The list of computed months is read by every dashboard request; it is cached, and forgotten by each computation.
MONTHS_CACHE_KEY = "monitoring:coverage-months"
TEMP_TABLES = (
    "cov_cell",
    "cov_desa",
    "cov_area",
    "cov_sum",
    "cov_target",
    "cov_typical",
    "cov_iuran",
    "cov_occ",
    "cov_occ_json",
)


# --- months ------------------------------------------------------------------------------------------------------
def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def parse_month(text: str) -> datetime.date:
    """``"2026-05"`` → ``date(2026, 5, 1)``; raises ValueError on anything else."""
    year, _, month = text.strip().partition("-")
    if not (len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        raise ValueError(text)
    return datetime.date(int(year), int(month), 1)


def current_month() -> datetime.date:
    return month_start(timezone.localdate())


# --- the rule ----------------------------------------------------------------------------------------------------
def enrolment_active_sql(alias: str = "e") -> str:
    """SQL condition: enrolment ``alias`` makes its participant active in the month bound to ``%(month)s``.

    The one definition of "active in month M" behind every coverage figure: the enrolment covers the month
    (``start_month ≤ M`` and no ``end_month`` or ``end_month ≥ M``; months are stored as their first day) and arrears
    had not ended it by then (``nonaktif_from`` empty or later than M: more than ``IURAN_ARREARS_NONAKTIF_AFTER``
    consecutive unpaid iuran months, BPJS Perdir 22/2022, kept up to date set-based by ``programs.billing``). Plain
    column comparisons, no scan of bills: the job stays one pass over the enrolments. ``EnrolmentQuerySet.in_force_in``
    is the ORM twin used by claims.
    """
    return (
        f"({alias}.start_month <= %(month)s AND ({alias}.end_month IS NULL OR {alias}.end_month >= %(month)s)"
        f" AND ({alias}.nonaktif_from IS NULL OR {alias}.nonaktif_from > %(month)s))"
    )


def _primary_enrolments_sql(vendor: str, *, one_payer_enforced: bool = False) -> str:
    """One row per participant active in the month: its earliest-starting active enrolment (then lowest id).

    When the database itself refuses two enrolments of one participant sharing a month (``one_payer_enforced``),
    every active enrolment already is the only one of its participant, and the pick (a sort of every active
    enrolment) is skipped.
    """
    active = enrolment_active_sql("e")
    if one_payer_enforced:
        return f"SELECT e.participant_id, e.program_id, e.funding_source FROM participants_enrolment e WHERE {active}"
    if vendor == "postgresql":
        return f"""
            SELECT DISTINCT ON (e.participant_id) e.participant_id, e.program_id, e.funding_source
              FROM participants_enrolment e
             WHERE {active}
             ORDER BY e.participant_id, e.start_month, e.id"""
    return f"""
        SELECT participant_id, program_id, funding_source FROM (
            SELECT e.participant_id, e.program_id, e.funding_source,
                   row_number() OVER (PARTITION BY e.participant_id ORDER BY e.start_month, e.id) AS pick
              FROM participants_enrolment e
             WHERE {active}
        ) ranked WHERE pick = 1"""


def one_payer_per_month_enforced(cursor) -> bool:
    """Whether PostgreSQL refuses two enrolments of one participant that share a month (domain brief §7).

    Either the participants app's enabled insert and update triggers calling ``enrolment_one_payer_per_month_check``
    (its migration 0008) or an exclusion constraint over (participant, month range) (its migration 0004, found by
    its definition); SQLite has neither.
    """
    if connection.vendor != "postgresql":
        return False
    cursor.execute(
        """SELECT
             (SELECT count(*) FROM pg_constraint WHERE conrelid = 'participants_enrolment'::regclass
                 AND contype = 'x' AND convalidated AND pg_get_constraintdef(oid) LIKE '%participant_id WITH =%&&%'),
             (SELECT count(DISTINCT t.tgtype & 28) FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid
               WHERE t.tgrelid = 'participants_enrolment'::regclass AND t.tgenabled <> 'D'
                 AND f.proname = 'enrolment_one_payer_per_month_check' AND t.tgtype & 28 IN (4, 16))"""
    )
    exclusion, triggers = cursor.fetchone()
    return exclusion > 0 or triggers == 2  # insert (4) and update (16) both watched


def _by_prefix(select: str, source: str, group: str) -> str:
    """``select`` over ``source`` grouped by each level's code prefix, the four levels glued by UNION ALL.

    ``select`` and ``group`` use ``{code}`` for the prefix expression.
    """
    parts = []
    for length in LEVEL_CODE_LENGTHS:
        code = f"substr(code, 1, {length})"
        parts.append(
            f"SELECT {select.format(code=code)} FROM {source} WHERE length(code) >= {length} "
            f"GROUP BY {group.format(code=code)}"
        )
    return "\nUNION ALL\n".join(parts)


LEVEL_SQL = "CASE length(s.code) WHEN 2 THEN 1 WHEN 5 THEN 2 WHEN 8 THEN 3 ELSE 4 END"
PARENT_SQL = (
    "CASE length(s.code) WHEN 2 THEN '' WHEN 5 THEN substr(s.code, 1, 2) WHEN 8 THEN substr(s.code, 1, 5) "
    "ELSE substr(s.code, 1, 8) END"
)
IS_TOTAL_SQL = "(s.program_id IS NULL AND s.funding_source = '')"
GAP_SQL = "CASE WHEN t.target_jiwa > s.n THEN t.target_jiwa - s.n ELSE 0 END"


def _statements(vendor: str, *, one_payer_enforced: bool = False) -> list[tuple[str, str]]:
    """The job's SQL, in order, each with the step name logged with its time."""
    # The per-pekerjaan counts become one JSON object per region (jsonb on PostgreSQL, JSON text on SQLite).
    json_object, empty_json = (
        ("jsonb_object_agg", "'{}'::jsonb") if vendor == "postgresql" else ("json_group_object", "'{}'")
    )
    return [
        (
            "active NIK per desa",
            f"""
            CREATE TEMP TABLE cov_cell AS
            SELECT p.desa_id AS code, e.program_id, e.funding_source, p.pekerjaan_id, p.jenis_kelamin AS sex,
                   count(*) AS n
              FROM ({_primary_enrolments_sql(vendor, one_payer_enforced=one_payer_enforced)}) e
              JOIN participants_participant p ON p.id = e.participant_id
             GROUP BY p.desa_id, e.program_id, e.funding_source, p.pekerjaan_id, p.jenis_kelamin""",
        ),
        (
            "desa totals",
            """
            CREATE TEMP TABLE cov_desa AS
            SELECT code, program_id, funding_source, sum(n) AS n,
                   sum(CASE WHEN sex = 'L' THEN n ELSE 0 END) AS n_male,
                   sum(CASE WHEN sex = 'P' THEN n ELSE 0 END) AS n_female
              FROM cov_cell GROUP BY code, program_id, funding_source""",
        ),
        (
            "roll-up by code prefix",
            "CREATE TEMP TABLE cov_area AS\n"
            + _by_prefix(
                "{code} AS code, program_id, funding_source, sum(n) AS n, sum(n_male) AS n_male, "
                "sum(n_female) AS n_female",
                "cov_desa",
                "{code}, program_id, funding_source",
            ),
        ),
        (
            "filters",
            """
            CREATE TEMP TABLE cov_sum AS
            SELECT code, program_id, funding_source, n, n_male, n_female FROM cov_area
            UNION ALL
            SELECT code, program_id, '', sum(n), sum(n_male), sum(n_female) FROM cov_area GROUP BY code, program_id
            UNION ALL
            SELECT code, NULL, funding_source, sum(n), sum(n_male), sum(n_female)
              FROM cov_area GROUP BY code, funding_source
            UNION ALL
            SELECT code, NULL, '', sum(n), sum(n_male), sum(n_female) FROM cov_area GROUP BY code""",
        ),
        (
            "targets",
            """
            CREATE TEMP TABLE cov_target AS
            SELECT code,
                   CAST(max(CASE WHEN indicator = 'PENDUDUK_BEKERJA' THEN value END) AS BIGINT) AS penduduk_bekerja,
                   CAST(max(CASE WHEN indicator = 'SEMESTA_RENTAN' THEN value END) AS BIGINT) AS semesta_rentan,
                   max(CASE WHEN indicator = 'UCJ_TARGET_PCT' THEN value END) AS ucj_target_pct,
                   CAST(max(CASE WHEN indicator = 'TARGET_JIWA_RENTAN' THEN value END) AS BIGINT) AS target_jiwa,
                   max(year) AS year
              FROM (SELECT t.region_id AS code, t.indicator, t.value, t.year,
                           row_number() OVER (PARTITION BY t.region_id, t.indicator ORDER BY t.year DESC) AS pick
                      FROM programs_regiontarget t WHERE t.year <= %(year)s) latest
             WHERE pick = 1
             GROUP BY code""",
        ),
        (
            "typical funding source",
            """
            CREATE TEMP TABLE cov_typical AS
            SELECT code, funding_source FROM (
                SELECT code, funding_source,
                       row_number() OVER (PARTITION BY code ORDER BY n DESC, funding_source) AS pick
                  FROM cov_sum WHERE program_id IS NULL AND funding_source <> '') ranked
             WHERE pick = 1""",
        ),
        (
            "occupations per desa",
            "CREATE TEMP TABLE cov_occ AS SELECT code, pekerjaan_id, sum(n) AS n FROM cov_cell "
            "GROUP BY code, pekerjaan_id",
        ),
        (
            "occupations per region",
            f"CREATE TEMP TABLE cov_occ_json AS SELECT code, {json_object}(pekerjaan_id, n) AS counts FROM (\n"
            + _by_prefix("{code} AS code, pekerjaan_id, sum(n) AS n", "cov_occ", "{code}, pekerjaan_id")
            + "\n) per_region GROUP BY code",
        ),
        *(
            # Temp tables have no statistics until analysed: without them the planner may join the snapshot's
            # pieces with nested loops (seconds instead of milliseconds).
            [("statistics", "ANALYZE cov_sum, cov_target, cov_typical, cov_iuran, cov_occ_json")]
            if vendor == "postgresql"
            else []
        ),
        ("delete month", "DELETE FROM monitoring_coveragesnapshot WHERE month = %(month)s"),
        (
            "write snapshot",
            f"""
            INSERT INTO monitoring_coveragesnapshot (
                month, region_id, level, parent_code, program_id, funding_source, active, active_male, active_female,
                penduduk_bekerja, semesta_rentan, ucj_target_pct, target_jiwa, targets_year,
                typical_funding_source, monthly_iuran, gap_jiwa, gap_rupiah, by_occupation, computed_at)
            SELECT %(month)s, s.code, {LEVEL_SQL}, {PARENT_SQL}, s.program_id, s.funding_source,
                   s.n, s.n_male, s.n_female,
                   t.penduduk_bekerja, t.semesta_rentan, t.ucj_target_pct, t.target_jiwa, t.year,
                   CASE WHEN {IS_TOTAL_SQL} THEN COALESCE(ty.funding_source, %(default_funding)s) ELSE '' END,
                   CASE WHEN {IS_TOTAL_SQL} THEN i.iuran END,
                   CASE WHEN {IS_TOTAL_SQL} AND t.target_jiwa IS NOT NULL THEN {GAP_SQL} END,
                   CASE WHEN {IS_TOTAL_SQL} AND t.target_jiwa IS NOT NULL THEN ({GAP_SQL}) * i.iuran * 12 END,
                   CASE WHEN {IS_TOTAL_SQL} THEN COALESCE(o.counts, {empty_json}) END,
                   %(now)s
              FROM (SELECT code, program_id, funding_source, n, n_male, n_female FROM cov_sum
                    UNION ALL
                    SELECT code, NULL, '', 0, 0, 0 FROM cov_target
                     WHERE NOT EXISTS (SELECT 1 FROM cov_sum WHERE cov_sum.code = cov_target.code)) s
              LEFT JOIN cov_target t ON t.code = s.code
              LEFT JOIN cov_typical ty ON ty.code = s.code
              LEFT JOIN cov_iuran i ON i.funding_source = COALESCE(ty.funding_source, %(default_funding)s)
              LEFT JOIN cov_occ_json o ON o.code = s.code""",
        ),
    ]


# --- pricing -----------------------------------------------------------------------------------------------------
def monthly_iuran_by_funding(month: datetime.date, rates: RateBook | None = None) -> dict[str, int]:
    """The monthly iuran of one participant in ``month`` for each funding source, through ``programs.rates``.

    Priced for the planner's default group (JKK + JKM package, Rp1.000.000 income bracket, outside the transport
    sector), so a gap is costed the way the budget planner costs a target. A funding source the rate tables cannot
    price for that month is left out (its gap gets no Rupiah figure).
    """
    rates = rates or RateBook.load()
    prices = {}
    for funding_source in FundingSource.values:
        program = Program(
            funding_source=funding_source, package=Program.Package.JKK_JKM, income_bracket=DEFAULT_INCOME_BRACKET
        )
        try:
            quote = iuran_for_month(program=program, is_transport=False, month=month, rates=rates)
        except IuranRuleError:
            continue
        prices[funding_source] = int(quote.total)  # whole rupiah (round_rupiah): exact in SQLite integers too
    return prices


# --- the job -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthResult:
    month: datetime.date
    active: int
    rows: int
    seconds: float


def _qualified(table: str) -> str:
    return f"pg_temp.{table}" if connection.vendor == "postgresql" else f"temp.{table}"


def _drop_temp_tables(cursor) -> None:
    for table in TEMP_TABLES:
        cursor.execute(f"DROP TABLE IF EXISTS {_qualified(table)}")


@contextmanager
def _exclusive_job():
    """One coverage job at a time: a PostgreSQL advisory lock, held across the transaction that writes.

    Taken before the transaction starts, so the REPEATABLE READ snapshot is taken after the previous job
    committed (a lock taken inside it would leave the waiting job with a snapshot older than the rows it replaces).
    Inside an outer transaction (tests) the transaction-level lock is used instead. SQLite needs none: it
    serialises writers itself.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            yield
            return
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def coverage_compute_month(
    *, month: datetime.date, run: CoverageRun | None = None, rates: RateBook | None = None
) -> MonthResult:
    """Replace the coverage snapshot of ``month`` for every region at every level (idempotent).

    Reads one consistent snapshot of enrolments and participants (REPEATABLE READ on PostgreSQL) and swaps the
    month's rows in one transaction; see the module docstring for the steps.
    """
    month = month_start(month)
    prices = monthly_iuran_by_funding(month, rates)
    vendor = connection.vendor
    params = {
        "month": month,
        "year": month.year,
        "now": timezone.now(),
        "default_funding": str(DEFAULT_FUNDING_SOURCE),
    }
    started = time.perf_counter()
    rows = 0
    with _exclusive_job():
        outermost = not connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "postgresql":
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"SET LOCAL work_mem = '{JOB_WORK_MEM}'")
            _drop_temp_tables(cursor)
            # The prices come from the rate function (Python), then join like any table.
            cursor.execute("CREATE TEMP TABLE cov_iuran (funding_source VARCHAR(10), iuran BIGINT)")
            cursor.executemany("INSERT INTO cov_iuran (funding_source, iuran) VALUES (%s, %s)", list(prices.items()))
            enforced = one_payer_per_month_enforced(cursor)
            for name, sql in _statements(vendor, one_payer_enforced=enforced):
                step = time.perf_counter()
                cursor.execute(sql, params)
                if name == "write snapshot":
                    rows = cursor.rowcount
                logger.debug("coverage %s %s: %.3f s", month, name, time.perf_counter() - step)
            cursor.execute(
                "SELECT COALESCE(sum(n), 0) FROM cov_sum "
                "WHERE length(code) = 2 AND program_id IS NULL AND funding_source = ''"
            )
            active = int(cursor.fetchone()[0])
            _drop_temp_tables(cursor)
            seconds = time.perf_counter() - started  # up to here; the commit follows
            forget_coverage_months()  # now (for readers in this transaction) and once committed (for the others)
            transaction.on_commit(forget_coverage_months)
            CoverageMonth.objects.update_or_create(
                month=month,
                defaults={
                    "run": run,
                    "computed_at": params["now"],
                    "seconds": Decimal(f"{seconds:.2f}"),
                    "active": active,
                    "rows": rows,
                },
            )
    seconds = time.perf_counter() - started  # with the commit
    logger.info("Coverage %s: %s active, %s rows in %.2f s", f"{month:%Y-%m}", active, rows, seconds)
    return MonthResult(month=month, active=active, rows=rows, seconds=seconds)


def forget_coverage_months() -> None:
    cache.delete(MONTHS_CACHE_KEY)


def first_enrolment_month() -> datetime.date | None:
    """The month the earliest enrolment starts: where a full backfill begins."""
    first = Enrolment.objects.aggregate(first=Min("start_month"))["first"]
    return month_start(first) if first else None
