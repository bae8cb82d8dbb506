"""Writes of the monitoring layer: coverage runs, and the targets and denominators that coverage is measured against.

``RegionTarget`` is a programs model; its rows are entered here, through the dashboard's target pages, because
targets only mean something next to the coverage they measure. Every write is audited in its own transaction.
"""

import csv
import datetime
import io
import logging
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.coverage import add_months, coverage_compute_month, current_month, months_between
from monitoring.dashboard_cache import dashboard_figures_warm
from monitoring.models import CoverageMonth, CoverageRun, MonitoringReport, ReportNote, report_upload_to
from monitoring.selectors import report_get_for_user
from programs.calendar import add_working_days, next_working_day
from programs.models import Program, Region, RegionTarget
from programs.rates import IuranRuleError, RateBook
from rentan.access import region_code_in_scope
from rentan.audit import audit_record, diff, snapshot
from rentan.formatting import format_month

logger = logging.getLogger(__name__)

# A run still QUEUED or RUNNING after this long is taken as dead (worker killed): it no longer blocks a new one.
STALE_RUN = datetime.timedelta(hours=2)


# --- coverage runs -----------------------------------------------------------------------------------------------
def may_start_coverage_run(user) -> bool:
    """Administrators and Disnaker operators may recompute; pimpinan and BPJS officers read."""
    return user.is_authenticated and user.may_manage_programs


def coverage_run_active() -> CoverageRun | None:
    return (
        CoverageRun.objects.filter(
            status__in=(CoverageRun.Status.QUEUED, CoverageRun.Status.RUNNING),
            created_at__gte=timezone.now() - STALE_RUN,
        )
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def coverage_run_start(
    *,
    user=None,
    first_month: datetime.date,
    last_month: datetime.date | None = None,
    trigger: str,
    enqueue: bool = True,
) -> tuple[CoverageRun, bool]:
    """Queue a coverage run and hand it to a worker once committed; returns (run, created).

    Only one run at a time: while one is queued or running, that run is returned instead of a new one (the button
    then shows its progress). ``enqueue=False`` leaves the run to the caller (the command and the nightly task
    execute it themselves).
    """
    if trigger == CoverageRun.Trigger.BUTTON and not may_start_coverage_run(user):
        raise PermissionDenied
    running = coverage_run_active()
    if running is not None:
        return running, False
    first_month = first_month.replace(day=1)
    last_month = (last_month or first_month).replace(day=1)
    if last_month < first_month:
        raise ValidationError(_("Bulan terakhir tidak boleh sebelum bulan pertama."))
    run = CoverageRun.objects.create(
        first_month=first_month,
        last_month=last_month,
        trigger=trigger,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    if run.requested_by is not None:
        audit_record(
            user=user,
            action="create",
            instance=run,
            changes={"first_month": [None, str(first_month)], "last_month": [None, str(last_month)]},
        )
    if enqueue:
        from monitoring.tasks import coverage_run_execute as task

        transaction.on_commit(lambda: task.delay(run.pk))
    return run, True


def _update_run(run: CoverageRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    CoverageRun.objects.filter(pk=run.pk).update(**fields)


def coverage_run_execute(*, run_id: int) -> CoverageRun:
    """Compute every month of a queued run, oldest first, recording progress after each month.

    Idempotent: only a QUEUED run is taken (a conditional UPDATE), so a second delivery of the task does nothing.
    Each month is its own transaction (``coverage_compute_month``): a failure keeps the months already done and
    marks the run FAILED with a message for the page; the details go to the log.
    """
    taken = CoverageRun.objects.filter(pk=run_id, status=CoverageRun.Status.QUEUED).update(
        status=CoverageRun.Status.RUNNING, started_at=timezone.now()
    )
    run = CoverageRun.objects.get(pk=run_id)
    if not taken:
        return run
    months = months_between(run.first_month, run.last_month)
    rates = RateBook.load()
    month = months[0]
    try:
        for index, month in enumerate(months):
            _update_run(
                run,
                step=_("Menghitung %(month)s (%(index)s dari %(count)s)")
                % {"month": format_month(month), "index": index + 1, "count": len(months)},
            )
            result = coverage_compute_month(month=month, run=run, rates=rates)
            _update_run(
                run,
                months_done=index + 1,
                rows_written=run.rows_written + result.rows,
                progress=int((index + 1) * 100 / len(months)),
            )
    except (DatabaseError, IuranRuleError) as error:
        logger.exception("Coverage run %s failed in %s", run.pk, month)
        _update_run(
            run,
            status=CoverageRun.Status.FAILED,
            finished_at=timezone.now(),
            error_message=_("Perhitungan %(month)s gagal: %(error)s") % {"month": format_month(month), "error": error},
        )
        return run
    except Exception:
        _update_run(
            run,
            status=CoverageRun.Status.FAILED,
            finished_at=timezone.now(),
            error_message=_("Perhitungan %(month)s gagal karena kesalahan program; lihat log server.")
            % {"month": format_month(month)},
        )
        raise
    _update_run(run, status=CoverageRun.Status.DONE, finished_at=timezone.now(), progress=100, step="")
    return run


def coverage_run_complete(*, run_id: int) -> tuple[CoverageRun, int]:
    """``coverage_run_execute``, then, when the run is DONE, the dashboards people open first rendered from the new
    figures (``dashboard_cache.dashboard_figures_warm``), so their first readers never meet them cold. Returns the
    run and how many pages were rendered. What the task, the nightly job and ``compute_coverage`` all run."""
    run = coverage_run_execute(run_id=run_id)
    pages = dashboard_figures_warm() if run.status == CoverageRun.Status.DONE else 0
    return run, pages


def nightly_months(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The months the nightly run recomputes: last month (late corrections still arrive) and this month."""
    this_month = today.replace(day=1) if today else current_month()
    return add_months(this_month, -1), this_month


# --- targets and denominators ------------------------------------------------------------------------------------
def may_edit_targets(user) -> bool:
    """Administrators and Disnaker operators enter targets for regions inside their scope."""
    return user.is_authenticated and user.may_manage_programs


def _require_target_editor(user, region_code: str) -> None:
    if not may_edit_targets(user) or not region_code_in_scope(user, region_code):
        raise PermissionDenied


def target_value_error(indicator: str, value: Decimal | None) -> str | None:
    """What is wrong with ``value`` for ``indicator``: a percentage up to 100, or a whole number of people."""
    if value is None:
        return None
    if value < 0:
        return _("Nilai tidak boleh negatif.")
    if indicator == RegionTarget.Indicator.UCJ_TARGET_PCT:
        if value > 100:
            return _("Target UCJ adalah persen: paling besar 100.")
    elif value != value.to_integral_value():
        return _("Jumlah jiwa harus bilangan bulat.")
    return None


def _validate_target(target: RegionTarget) -> None:
    """Field checks and :func:`target_value_error`; the value is kept to two decimals, as stored.

    Uniqueness (region, year, indicator) is left to the callers: the form checks it, the import replaces.
    """
    problem = target_value_error(target.indicator, target.value)
    if problem:
        raise ValidationError({"value": problem})
    if target.value is not None:
        target.value = Decimal(target.value).quantize(Decimal("0.01"))
    target.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def region_target_save(*, user, target: RegionTarget) -> RegionTarget:
    """Create or change one target or denominator of a region inside the user's scope; the audit keeps both values."""
    _require_target_editor(user, target.region_id)
    _validate_target(target)
    if target.pk is None:
        target.save()
        audit_record(
            user=user,
            action="create",
            instance=target,
            region_code=target.region_id,
            changes={k: [None, v] for k, v in snapshot(target).items()},
        )
        return target
    before = RegionTarget.objects.select_for_update().get(pk=target.pk)
    _require_target_editor(user, before.region_id)
    changed = diff(snapshot(before), snapshot(target))
    if changed:
        target.save(update_fields=[name.removesuffix("_id") for name in changed])
        audit_record(user=user, action="update", instance=target, region_code=target.region_id, changes=changed)
    return target


# The CSV import: small files typed by hand or saved from Excel.
TARGET_CSV_COLUMNS = ("kode_wilayah", "tahun", "indikator", "nilai", "sumber", "keterangan")
TARGET_CSV_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class TargetImportResult:
    created: int
    updated: int
    unchanged: int


class TargetImportError(Exception):
    """The file was refused as a whole; ``errors`` are the line-numbered reasons, in Indonesian."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TargetImportError([_("Berkas bukan teks CSV (UTF-8).")])


def parse_number(text: str) -> Decimal:
    """Read ``48,5``, ``48.5``, ``1.234.567`` or ``1234567`` the way an Indonesian spreadsheet writes them.

    A comma is the decimal mark; dots are thousands separators when they group digits by three (``1.234``),
    otherwise a decimal point (``48.5``).
    """
    text = text.strip().replace(" ", "").replace("%", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") >= 1:
        groups = text.lstrip("-").split(".")
        if all(len(g) == 3 and g.isdigit() for g in groups[1:]) and groups[0].isdigit() and 1 <= len(groups[0]) <= 3:
            text = text.replace(".", "")
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def _choice(value: str, choices) -> str | None:
    """A choice by its code or its label, case-insensitively."""
    wanted = value.strip().casefold()
    for code, label in choices.choices:
        if wanted in (code.casefold(), str(label).casefold()):
            return code
    return None


def _read_target_rows(user, text: str) -> tuple[list[RegionTarget], list[str]]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return [], [_("Berkas kosong.")]
    names = [h.strip().lower() for h in header]
    missing = [c for c in TARGET_CSV_COLUMNS if c != "keterangan" and c not in names]
    if missing:
        return [], [
            _("Baris 1: kolom %(columns)s tidak ada. Kolom yang diharapkan: %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(TARGET_CSV_COLUMNS)}
        ]
    position = {name: names.index(name) for name in TARGET_CSV_COLUMNS if name in names}
    parsed, errors, seen = [], [], {}
    raw_rows = [(number, row) for number, row in enumerate(reader, start=2) if any(cell.strip() for cell in row)]
    codes = {row[position["kode_wilayah"]].strip() for _, row in raw_rows if len(row) > position["kode_wilayah"]}
    regions = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    this_year = timezone.localdate().year
    for number, row in raw_rows:

        def cell(name, row=row):
            index = position.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        problems = []
        code = cell("kode_wilayah")
        if code not in regions or not region_code_in_scope(user, code):
            problems.append(
                _("kode wilayah %(code)s tidak dikenal atau di luar wilayah kerja Anda") % {"code": code or "-"}
            )
        year = cell("tahun")
        if not (year.isdigit() and 2000 <= int(year) <= this_year + 10):
            problems.append(_("tahun %(year)s tidak sah (2000–%(max)s)") % {"year": year or "-", "max": this_year + 10})
        indicator = _choice(cell("indikator"), RegionTarget.Indicator)
        if indicator is None:
            problems.append(
                _("indikator %(value)s tidak dikenal (pilih salah satu: %(choices)s)")
                % {"value": cell("indikator") or "-", "choices": ", ".join(RegionTarget.Indicator.values)}
            )
        source = _choice(cell("sumber"), RegionTarget.Source)
        if source is None:
            problems.append(
                _("sumber %(value)s tidak dikenal (pilih salah satu: %(choices)s)")
                % {"value": cell("sumber") or "-", "choices": ", ".join(RegionTarget.Source.values)}
            )
        try:
            value = parse_number(cell("nilai"))
        except ValueError:
            value = None
            problems.append(_("nilai %(value)s bukan angka") % {"value": cell("nilai") or "-"})
        note = cell("keterangan")
        if len(note) > 200:
            problems.append(_("keterangan lebih dari 200 karakter"))
        if not problems:
            target = RegionTarget(
                region_id=code, year=int(year), indicator=indicator, value=value, source=source, note=note
            )
            try:
                _validate_target(target)
            except ValidationError as error:
                problems += [message.rstrip(".") for message in error.messages]
            key = (code, int(year), indicator)
            if key in seen:
                problems.append(_("sama dengan baris %(line)s (wilayah, tahun dan indikator)") % {"line": seen[key]})
            seen[key] = number
            if not problems:
                parsed.append(target)
        if problems:
            errors.append(_("Baris %(line)s: %(problems)s.") % {"line": number, "problems": "; ".join(problems)})
    if not raw_rows and not errors:
        errors.append(_("Berkas tidak berisi baris data."))
    return parsed, errors


@transaction.atomic
def region_targets_import(*, user, data: bytes) -> TargetImportResult:
    """Import targets and denominators from a CSV, all or nothing: one bad line refuses the whole file.

    Columns ``kode_wilayah, tahun, indikator, nilai, sumber, keterangan`` (comma or semicolon separated); a row for
    an existing region, year and indicator replaces its value. Every error names its line.
    """
    if not may_edit_targets(user):
        raise PermissionDenied
    if len(data) > TARGET_CSV_MAX_BYTES:
        raise TargetImportError([_("Berkas terlalu besar (paling besar 1 MB).")])
    targets, errors = _read_target_rows(user, _decode(data))
    if errors:
        raise TargetImportError(errors)
    existing = {
        (t.region_id, t.year, t.indicator): t
        for t in RegionTarget.objects.select_for_update().filter(
            region_id__in={t.region_id for t in targets}, year__in={t.year for t in targets}
        )
    }
    created = updated = unchanged = 0
    for target in targets:
        current = existing.get((target.region_id, target.year, target.indicator))
        if current is None:
            target.save()
            audit_record(
                user=user,
                action="import",
                instance=target,
                region_code=target.region_id,
                changes={k: [None, v] for k, v in snapshot(target).items()},
            )
            created += 1
            continue
        target.pk = current.pk
        changed = diff(snapshot(current), snapshot(target))
        if not changed:
            unchanged += 1
            continue
        target.save(update_fields=[name.removesuffix("_id") for name in changed])
        audit_record(user=user, action="import", instance=target, region_code=target.region_id, changes=changed)
        updated += 1
    return TargetImportResult(created=created, updated=updated, unchanged=unchanged)


# --- the monthly rapat monitoring report -------------------------------------------------------------------------
# Two-key advisory locks (namespace, report id) are a key space apart from the coverage job's one-key lock.
REPORT_LOCK_NAMESPACE = 0x4C4150  # "LAP"


def may_request_reports(user) -> bool:
    """Administrators and Disnaker operators render reports and write the meeting's notes; the others read."""
    return user.is_authenticated and user.may_manage_programs


def _require_report_editor(user, region_code: str) -> None:
    if not may_request_reports(user) or not region_code_in_scope(user, region_code):
        raise PermissionDenied


def _next_version(region: Region, month: datetime.date) -> int:
    latest = MonitoringReport.objects.filter(region=region, month=month).order_by("-version").values("version").first()
    return (latest["version"] if latest else 0) + 1


@transaction.atomic
def monitoring_report_request(
    *,
    region: Region,
    month: datetime.date,
    trigger: str,
    user=None,
    enqueue: bool = True,
) -> tuple[MonitoringReport, bool]:
    """Ask for a new version of the report of ``region`` for ``month``; returns (report, created).

    The scheduled job asks once per region and month (a unique constraint): asking again returns that report.
    The render task is queued once the request commits. The month's coverage snapshot must exist: the report
    reads nothing else for its coverage figures.
    """
    if trigger != MonitoringReport.Trigger.SCHEDULE and user is not None:
        _require_report_editor(user, region.code)
    month = month.replace(day=1)
    if month > current_month():
        raise ValidationError(_("Laporan hanya dapat dibuat untuk bulan yang sudah berjalan."))
    if not CoverageMonth.objects.filter(month=month).exists():
        raise ValidationError(
            _("Ringkasan cakupan %(month)s belum dihitung; hitung dulu di dasbor.") % {"month": format_month(month)}
        )
    Region.objects.select_for_update().filter(pk=region.pk).first()  # one version number at a time per region
    if trigger == MonitoringReport.Trigger.SCHEDULE:
        existing = MonitoringReport.objects.filter(region=region, month=month, trigger=trigger).first()
        if existing is not None:
            return existing, False
    report = MonitoringReport.objects.create(
        region=region,
        month=month,
        version=_next_version(region, month),
        trigger=trigger,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    if report.requested_by is not None:
        audit_record(
            user=user,
            action="create",
            instance=report,
            region_code=region.code,
            changes={"month": [None, str(month)], "version": [None, report.version]},
        )
    if enqueue:
        from monitoring.tasks import monitoring_report_render as task

        transaction.on_commit(lambda: task.delay(report.pk))
    return report, True


@contextmanager
def _report_lock(report_id: int):
    """Whether this process may render the report: a PostgreSQL session lock, held while rendering.

    The lock dies with the connection, so a report left RUNNING by a killed worker can be taken again by the
    task's next delivery, while a duplicate delivery during a live render finds the lock held and does nothing.
    SQLite (the embedded demo, tasks run inline) needs none.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [REPORT_LOCK_NAMESPACE, report_id])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [REPORT_LOCK_NAMESPACE, report_id])


def _fail_report(report_id: int, message: str) -> None:
    MonitoringReport.objects.filter(pk=report_id, status=MonitoringReport.Status.RUNNING).update(
        status=MonitoringReport.Status.FAILED, finished_at=timezone.now(), error_message=message
    )


def monitoring_report_render(*, report_id: int) -> MonitoringReport:
    """Render a requested report to PDF and store it: PENDING → RUNNING → DONE, each step its own transaction.

    Idempotent: a DONE (or FAILED) report is left alone; a RUNNING one is taken over only when no live worker
    holds its lock (its worker died). The file is written before the row says DONE, in the transaction that says
    so; a failure deletes it again.
    """
    from monitoring.pdf import render_pdf
    from monitoring.reports import MonthNotComputed, report_content, report_html

    with _report_lock(report_id) as got:
        if not got:
            return MonitoringReport.objects.get(pk=report_id)
        started = timezone.now()
        taken = MonitoringReport.objects.filter(
            pk=report_id, status__in=(MonitoringReport.Status.PENDING, MonitoringReport.Status.RUNNING)
        ).update(
            status=MonitoringReport.Status.RUNNING,
            started_at=started,
            attempts=F("attempts") + 1,
            worker=f"{socket.gethostname()}:{os.getpid()}"[:120],
        )
        report = MonitoringReport.objects.select_related("region").get(pk=report_id)
        if not taken:
            return report
        clock = time.perf_counter()
        try:
            content = report_content(
                region=report.region, month=report.month, rendered_at=started, version=report.version
            )
            rendered = render_pdf(report_html(content), title=f"{report.region} {format_month(report.month)}")
        except MonthNotComputed as missing:
            _fail_report(report_id, str(missing))
            return MonitoringReport.objects.get(pk=report_id)
        except Exception:
            logger.exception("Report %s failed", report_id)
            _fail_report(report_id, _("Laporan gagal dibuat karena kesalahan program; lihat log server."))
            raise
        seconds = Decimal(f"{time.perf_counter() - clock:.2f}")
        return _store_report(report_id, rendered, content.data_as_of, seconds)


def _store_report(report_id, rendered, data_as_of, seconds) -> MonitoringReport:
    name = ""
    try:
        with transaction.atomic():
            report = MonitoringReport.objects.select_for_update().get(pk=report_id)
            if report.status != MonitoringReport.Status.RUNNING:
                return report  # finished meanwhile by another delivery: keep that one
            name = default_storage.save(report_upload_to(report, ""), ContentFile(rendered.content))
            MonitoringReport.objects.filter(pk=report_id, status=MonitoringReport.Status.RUNNING).update(
                status=MonitoringReport.Status.DONE,
                file=name,
                size=len(rendered.content),
                pages=rendered.pages,
                seconds=seconds,
                data_as_of=data_as_of,
                finished_at=timezone.now(),
                error_message="",
            )
    except BaseException:
        if name:
            default_storage.delete(name)
        raise
    return MonitoringReport.objects.get(pk=report_id)


def report_day(month: datetime.date) -> datetime.date:
    """The day the monthly job renders last month's reports: the n-th working day of ``month`` (setting
    ``MONITORING_REPORT_WORKING_DAY``, default the first), counting the holiday table."""
    first = next_working_day(month.replace(day=1))
    return add_working_days(first, settings.MONITORING_REPORT_WORKING_DAY - 1)


def regions_with_programs() -> list[Region]:
    """Provinces and kab/kota that own a program, themselves or anywhere below them."""
    owners = set(Program.objects.values_list("owner_region_id", flat=True).distinct())
    codes = {code[:2] for code in owners} | {code[:5] for code in owners if len(code) >= 5}
    return list(Region.objects.filter(code__in=codes, level__lte=Region.Level.KABKOTA).order_by("code"))


def monitoring_reports_schedule(*, today: datetime.date | None = None) -> list[MonitoringReport]:
    """On the report day, ask for last month's report of every province and kab/kota with programs.

    Any other day it does nothing, so beat may call it daily; on the report day a second call finds the requests
    made by the first (one scheduled report per region and month).
    """
    today = today or timezone.localdate()
    if today != report_day(today):
        return []
    month = add_months(today.replace(day=1), -1)
    if not CoverageMonth.objects.filter(month=month).exists():
        logger.warning("Monthly reports of %s skipped: its coverage snapshot is missing", f"{month:%Y-%m}")
        return []
    return [
        monitoring_report_request(region=region, month=month, trigger=MonitoringReport.Trigger.SCHEDULE)[0]
        for region in regions_with_programs()
    ]


@transaction.atomic
def report_open_for_download(*, user, pk: int) -> tuple[MonitoringReport, object]:
    """The report and its open PDF, for a reader of its region; audited as a download (UU 27/2022 sensitive read).

    Another region's report, one not rendered yet and one whose file is gone all answer like a missing one (404).
    """
    report = report_get_for_user(user=user, pk=pk)
    if report.status != MonitoringReport.Status.DONE:
        raise Http404
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(user=user, action="download", instance=report, region_code=report.region_id)
    return report, handle


def report_note_save(*, user, note: ReportNote) -> ReportNote:
    """Write or change a note for a region's meeting; the audit keeps the text before and after."""
    _require_report_editor(user, note.region_id)
    note.month = note.month.replace(day=1)
    if note.pk is None:
        note.author = user
        note.full_clean()
        note.save()
        audit_record(
            user=user, action="create", instance=note, region_code=note.region_id, changes={"text": [None, note.text]}
        )
        return note
    before = ReportNote.objects.select_for_update().get(pk=note.pk)
    _require_report_editor(user, before.region_id)
    note.full_clean()
    changed = diff(snapshot(before, ["kind", "text"]), snapshot(note, ["kind", "text"]))
    if changed:
        note.save(update_fields=[*changed, "updated_at"])
        audit_record(user=user, action="update", instance=note, region_code=note.region_id, changes=changed)
    return note


@transaction.atomic
def report_note_delete(*, user, note: ReportNote) -> None:
    _require_report_editor(user, note.region_id)
    audit_record(
        user=user, action="delete", instance=note, region_code=note.region_id, changes={"text": [note.text, None]}
    )
    note.delete()
