"""Every write to participants, enrolments and list imports goes through a function here.

Views, the admin, Celery tasks and ``manage.py import_participants`` call these services; none writes the models
itself. Each service checks the user's role and region, validates with the same rules as the forms, and records
the change in the audit trail in the same transaction.
"""

import contextlib
import dataclasses
import datetime
import gc
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.importing.columns import BPJS_REPLY_COLUMNS, PARTICIPANT_COLUMNS
from participants.importing.readers import ImportFileError, SourceFile, rows_after_header
from participants.importing.report import write_error_report
from participants.importing.rows import (
    WARNINGS_KEPT,
    CheckedRow,
    ParticipantRowChecker,
    build_lookups,
    cell_text,
    parse_date,
)
from participants.importing.staging import Stage, refresh_statistics, write_issues
from participants.models import (
    Enrolment,
    ImportBatch,
    ImportIssue,
    Participant,
    age_on,
)
from participants.nik import validate_nik
from programs.models import Program, Region
from rentan.access import region_code_in_scope
from rentan.audit import audit_record, diff, snapshot
from rentan.formatting import format_month, format_number
from rentan.models import User

logger = logging.getLogger(__name__)

CHUNK_ROWS = 50_000  # rows per COPY while checking, and lines per INSERT while writing (progress steps)
REFUSED_ROWS_KEPT = 100_000  # refused rows a pipelined check keeps in memory for the report (~60 MB at most)
PIPELINE_FIRST_CHUNK_ROWS = 10_000  # the pipelined writer's first range (and its smallest, see _next_chunk_rows)
PREVIEW_ROWS = 10
# What a finished check or reply writes onto its ImportBatch (progress updates go through _Progress meanwhile).
RESULT_FIELDS = [
    "status", "progress", "step", "error_message", "finished_at", "columns", "preview", "rows_total", "rows_new",
    "rows_updated", "rows_unchanged", "rows_refused", "rows_warned",
]  # fmt: skip
REFUSED = ImportIssue.Severity.REFUSED
WARNING = ImportIssue.Severity.WARNING


def _unexpected(batch_id: int) -> str:
    return _(
        "Terjadi kesalahan tak terduga saat memproses impor ini; tidak ada data yang disimpan. "
        "Tim teknis dapat melihat rinciannya di log (nomor impor %(id)s)."
    ) % {"id": batch_id}


EDITABLE_FIELDS = (
    "nik",
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "alamat",
    "desa",
    "pekerjaan",
    "no_hp",
    "data_source",
    "status",
)


# --- who may write ------------------------------------------------------------------------------------------
def may_edit_participants(user) -> bool:
    """Disnaker operators keep their region's lists; administrators everything. BPJS and pimpinan only read."""
    return bool(user.is_authenticated and user.is_active and (user.is_administrator or user.role == User.Role.DISNAKER))


def may_import_bpjs_reply(user) -> bool:
    """BPJS officers (who register) and Disnaker operators (who receive the reply) load BPJS's answer."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_administrator or user.role in (User.Role.DISNAKER, User.Role.BPJS))
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Anda tidak berwenang mengubah data peserta."))


def _require_desa_in_scope(user, desa: Region) -> None:
    if desa.level != Region.Level.DESA:
        raise ValidationError({"desa": _("Pilih desa/kelurahan, bukan wilayah di atasnya.")})
    if not region_code_in_scope(user, desa.code):
        raise ValidationError({"desa": _("Desa/kelurahan ini di luar wilayah Anda.")})


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


# --- participants -------------------------------------------------------------------------------------------
def kecamatan_codes() -> set[str]:
    return set(Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True))


def nik_check_for(*, nik, birth_date=None, sex=None, known_kecamatan: set[str] | None = None):
    """:func:`validate_nik` with the kecamatan codes of the region table (the form and the services use this)."""
    known = known_kecamatan if known_kecamatan is not None else kecamatan_codes()
    return validate_nik(nik, birth_date=birth_date, sex=sex, kecamatan_codes=known)


def _clean_participant(user, participant: Participant) -> None:
    check = nik_check_for(nik=participant.nik, birth_date=participant.tanggal_lahir, sex=participant.jenis_kelamin)
    if not check.is_valid:
        raise ValidationError({"nik": [issue.message for issue in check.errors]})
    participant.nik = check.nik
    _require_desa_in_scope(user, participant.desa)
    other = Participant.objects.filter(nik=participant.nik).exclude(pk=participant.pk).first()
    if other is not None:
        visible = Participant.objects.for_user(user).filter(pk=other.pk).exists()
        raise ValidationError(
            {
                "nik": _("NIK ini sudah terdaftar atas nama %(nama)s.") % {"nama": other.nama}
                if visible
                else _("NIK ini sudah terdaftar sebagai peserta di luar wilayah Anda.")
            }
        )
    participant.full_clean()


@transaction.atomic
def participant_create(*, user, data: dict) -> Participant:
    """Register a participant inside the user's region; NIK errors block, NIK warnings do not (brief §7)."""
    _require(may_edit_participants(user))
    participant = Participant(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    _clean_participant(user, participant)
    participant.save()
    audit_record(
        user=user,
        action="create",
        instance=participant,
        region_code=participant.desa_id,
        changes={k: [None, v] for k, v in snapshot(participant).items()},
    )
    return participant


@transaction.atomic
def participant_update(*, user, participant: Participant, data: dict) -> Participant:
    """Change a participant the user may see; a new domicile must also lie inside the user's region."""
    _require(may_edit_participants(user))
    stored = Participant.objects.for_user(user).select_for_update().filter(pk=participant.pk).first()
    if stored is None:
        raise PermissionDenied
    before = snapshot(stored)
    for field, value in data.items():
        if field in EDITABLE_FIELDS:
            setattr(participant, field, value)
    _clean_participant(user, participant)
    changed = diff(before, snapshot(participant))
    changed.pop("updated_at", None)
    if changed:
        participant.save(update_fields=[f.removesuffix("_id") for f in changed] + ["updated_at"])
        audit_record(user=user, action="update", instance=participant, region_code=participant.desa_id, changes=changed)
    return participant


def export_record(*, user, what: str, detail: str = "") -> None:
    """Record a download of personal data (a list with NIKs) in the audit trail (UU 27/2022)."""
    audit_record(
        user=user,
        action="export",
        object_type=f"participants.{what}",
        object_repr=detail[:200],
        region_code=user.region_id or "",
    )


# --- enrolment ----------------------------------------------------------------------------------------------
def age_window() -> tuple[int, int]:
    """(minimum age, age limit) at enrolment: domain brief §1, 18 ≤ age < 65 unless settings say otherwise."""
    return settings.PARTICIPANT_ENROLMENT_MIN_AGE, settings.PARTICIPANT_ENROLMENT_MAX_AGE


def other_payer_message(*, user, enrolment: Enrolment) -> str:
    """Why a second payer is refused, naming the other program and its region only if the user may see it."""
    program = enrolment.program
    period = _period_text(enrolment.start_month, enrolment.end_month)
    if Program.objects.for_user(user).filter(pk=program.pk).exists():
        return _(
            "NIK ini sudah dibiayai program %(program)s (%(region)s) untuk %(period)s. "
            "Satu NIK hanya boleh punya satu pembayar iuran per bulan."
        ) % {"program": program.name, "region": program.owner_region, "period": period}
    return _(
        "NIK ini sudah dibiayai program lain di luar wilayah Anda untuk %(period)s. "
        "Satu NIK hanya boleh punya satu pembayar iuran per bulan."
    ) % {"period": period}


def _period_text(start: datetime.date, end: datetime.date | None) -> str:
    if end is None:
        return _("%(start)s dan seterusnya") % {"start": format_month(start)}
    return _("%(start)s s.d. %(end)s") % {"start": format_month(start), "end": format_month(end)}


@transaction.atomic
def enrolment_create(
    *,
    user,
    participant: Participant,
    program: Program,
    start_month: datetime.date,
    end_month: datetime.date | None = None,
) -> Enrolment:
    """Enrol a participant in a program for a span of months.

    One payer per NIK per month (domain brief §7): refused when any program, in any region, already pays for a
    month of the span. PostgreSQL enforces the same with the triggers of ``enrolment_one_payer_per_month``
    (participants migration 0008); this check gives the reason and covers SQLite. The age window at enrolment is
    configurable (brief §1).
    """
    _require(may_edit_participants(user))
    locked = Participant.objects.for_user(user).select_for_update().filter(pk=participant.pk).first()
    if locked is None:
        raise PermissionDenied
    if not Program.objects.for_user(user).filter(pk=program.pk).exists():
        raise PermissionDenied
    if start_month.day != 1 or (end_month is not None and end_month.day != 1):
        raise ValidationError(_("Bulan mulai dan bulan selesai diisi dengan hari pertama bulan."))
    end_month = end_month or program.end_month
    if start_month < program.start_month or (program.end_month and start_month > program.end_month):
        raise ValidationError(
            _("Bulan mulai harus di dalam masa program (%(period)s).")
            % {"period": _period_text(program.start_month, program.end_month)}
        )
    if end_month is not None and (end_month < start_month or (program.end_month and end_month > program.end_month)):
        raise ValidationError(_("Bulan selesai harus setelah bulan mulai dan di dalam masa program."))
    if locked.status == Participant.Status.MENINGGAL:
        raise ValidationError(_("Peserta tercatat meninggal dunia; tidak dapat didaftarkan."))
    minimum, limit = age_window()
    age = age_on(locked.tanggal_lahir, start_month)
    if not minimum <= age < limit:
        raise ValidationError(
            _("Umur peserta %(age)s tahun pada %(month)s; program hanya untuk umur %(min)s sampai di bawah %(max)s.")
            % {"age": age, "month": format_month(start_month), "min": minimum, "max": limit}
        )
    other = (
        Enrolment.objects.filter(participant=locked)
        .overlapping(start_month, end_month)
        .select_related("program", "program__owner_region")
        .order_by("start_month")
        .first()
    )
    if other is not None:
        raise ValidationError(other_payer_message(user=user, enrolment=other))
    enrolment = Enrolment(
        participant=locked,
        program=program,
        funding_source=program.funding_source,
        start_month=start_month,
        end_month=end_month,
        created_by=user,
    )
    enrolment.full_clean()
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as error:
        # Another enrolment for an overlapping month was committed between the check and the insert.
        raise ValidationError(
            _("NIK ini baru saja didaftarkan ke program lain untuk bulan yang sama; muat ulang halaman.")
        ) from error
    audit_record(
        user=user,
        action="create",
        instance=enrolment,
        region_code=locked.desa_id,
        changes={k: [None, v] for k, v in snapshot(enrolment).items()},
    )
    return enrolment


# --- list imports: creating, checking, confirming, writing ------------------------------------------------------
@dataclass
class _Progress:
    """Progress of a long step, written where the page can poll it.

    While the writing transaction runs, PostgreSQL gets the updates through a second connection (the page must
    see them before the transaction commits); SQLite has a single writer, so it shows progress between steps only.
    """

    batch_id: int
    in_transaction: bool = False

    def __post_init__(self):
        self._connection = None
        if self.in_transaction and connection.vendor == "postgresql":
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, percent: float, step: str = "", **fields) -> None:
        values = {"progress": max(0, min(100, int(percent))), "step": step[:100], **fields}
        if self._connection is not None:
            assignments = ", ".join(f"{name} = %s" for name in values)
            with self._connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportBatch._meta.db_table} SET {assignments} WHERE id = %s",  # noqa: S608 - own names
                    [*values.values(), self.batch_id],
                )
        elif not self.in_transaction or connection.vendor != "postgresql":
            ImportBatch.objects.filter(pk=self.batch_id).update(**values)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def _fail(batch: ImportBatch, message: str) -> None:
    Stage(batch.pk).drop()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED, error_message=message, finished_at=timezone.now(), step=""
    )
    batch.refresh_from_db()


def default_start_month(program: Program, today: datetime.date | None = None) -> datetime.date:
    """The month an imported list starts paying: this month, or the program's first month if it starts later."""
    this_month = _first_of_month(today or timezone.localdate())
    return max(program.start_month, this_month)


@transaction.atomic
def import_batch_create(
    *,
    user,
    program: Program,
    source_path: str | Path,
    file_name: str,
    kind: str = ImportBatch.Kind.PARTICIPANTS,
    mode: str = ImportBatch.Mode.SKIP_BAD_ROWS,
    start_month: datetime.date | None = None,
    end_month: datetime.date | None = None,
    default_pekerjaan=None,
    data_source: str = Participant.DataSource.LAINNYA,
    error_report_path: str | Path | None = None,
    enqueue: bool = True,
) -> ImportBatch:
    """Record an uploaded list and queue its check (``enqueue=False`` lets the command run the steps itself)."""
    _require(may_import_bpjs_reply(user) if kind == ImportBatch.Kind.BPJS_REPLY else may_edit_participants(user))
    if not Program.objects.for_user(user).filter(pk=program.pk).exists():
        raise PermissionDenied
    if kind == ImportBatch.Kind.PARTICIPANTS:
        start_month = start_month or default_start_month(program)
        end_month = end_month or program.end_month
        if start_month.day != 1 or start_month < program.start_month:
            raise ValidationError(
                {"start_month": _("Bulan mulai harus hari pertama bulan, tidak sebelum program dimulai.")}
            )
        if program.end_month and start_month > program.end_month:
            raise ValidationError({"start_month": _("Program ini sudah berakhir pada bulan itu.")})
    source_path = Path(source_path)
    report = Path(error_report_path) if error_report_path else source_path.with_name(f"{source_path.stem}-ditolak.xlsx")
    batch = ImportBatch.objects.create(
        kind=kind,
        program=program,
        mode=mode,
        start_month=start_month,
        end_month=end_month,
        default_pekerjaan=default_pekerjaan,
        data_source=data_source,
        file_name=file_name[:255],
        source_path=str(source_path),
        error_report_path=str(report),
        created_by=user,
        region_id=user.region_id if user.role in (User.Role.DISNAKER, User.Role.PIMPINAN) else None,
    )
    audit_record(
        user=user,
        action="import",
        instance=batch,
        region_code=batch.region_id or "",
        changes={"file_name": [None, batch.file_name], "program": [None, program.code], "mode": [None, mode]},
    )
    if enqueue:
        from participants import tasks

        task = tasks.bpjs_reply_import if kind == ImportBatch.Kind.BPJS_REPLY else tasks.import_batch_validate
        transaction.on_commit(lambda: task.delay(batch.pk))
    return batch


def import_batch_validate(*, batch_id: int, write_report: bool = True) -> ImportBatch:
    """Check every row of an uploaded participant list and stage the good ones; nothing real is written.

    Ends VALIDATED with counts and sample rows for the preview, or FAILED (unreadable file, missing columns, or
    any refused row in all-or-nothing mode). Then, with the status already visible to the page, writes the XLSX of
    refused rows (it re-reads the source file: ~0,5 s for 5.000 refused rows of a 100.000-row CSV). Idempotent:
    only a PENDING batch is checked.
    """
    batch = ImportBatch.objects.select_related("program", "created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.PENDING:
        return batch
    try:
        _validate(batch)
    except ImportFileError as error:
        _fail(batch, str(error))
    except Exception:  # noqa: BLE001 - recorded on the batch for the user, logged with the traceback for us
        logger.exception("Import batch %s failed while checking", batch_id)
        _fail(batch, _unexpected(batch_id))
    batch.refresh_from_db()
    if write_report:
        batch = import_batch_write_report(batch_id=batch.pk)
    return batch


def import_batch_write_report(*, batch_id: int, read=None) -> ImportBatch:
    """Write (or rewrite) the XLSX of refused rows next to the uploaded file (``read``: see write_error_report)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.rows_refused:
        columns = BPJS_REPLY_COLUMNS if batch.kind == ImportBatch.Kind.BPJS_REPLY else PARTICIPANT_COLUMNS
        write_error_report(batch, columns, read)
    return batch


@contextlib.contextmanager
def _few_gc_pauses():
    """A million-row check allocates tuples by the million but keeps few: collect garbage less often meanwhile."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _labels(mapping) -> dict[str, str]:
    """Issue columns are named as in the uploaded file (what staff see), else by the field's own label."""
    labels = {column.name: str(column.label) for column in PARTICIPANT_COLUMNS}
    for name, positions in mapping.positions.items():
        labels[name] = mapping.headers[positions[0]] or labels[name]
    return labels


@dataclass
class _Checked:
    """What reading and checking every row of a list found; its good rows are in the staging table."""

    mapping: object
    total: int = 0
    refused: int = 0
    warned: int = 0  # good rows with a warning
    # The refused rows' cells as read, for the report without a second reading; None when not kept (page path,
    # or more than REFUSED_ROWS_KEPT of them).
    refused_rows: list | None = None
    refused_preview: list = dataclasses.field(default_factory=list)
    warned_preview: list = dataclasses.field(default_factory=list)


def _check_rows(
    batch: ImportBatch, stage: Stage, progress: _Progress, staged=None, keep_refused: bool = False
) -> _Checked:
    """Read the list, check every row, stage the good ones chunk by chunk and store the issues of the others.

    ``staged((low, high), known)``, when given, hears after each chunk that lines low ≤ line < high are staged and
    committed, ``known`` of them marked as registered: the pipelined writer of :func:`import_batch_run` follows it.
    """
    source = SourceFile(batch.source_path)
    mapping, _header_line, rows = rows_after_header(source, PARTICIPANT_COLUMNS)
    checked = _Checked(mapping=mapping, refused_rows=[] if keep_refused else None)
    checker = ParticipantRowChecker(
        lookups=build_lookups(batch.created_by),
        positions=mapping.positions,
        labels=_labels(mapping),
        start_month=batch.start_month,
        default_pekerjaan_id=batch.default_pekerjaan_id,
        today=timezone.localdate(),
    )
    nik_at = mapping.positions.get("nik", [0])[0]
    warnings_kept = 0
    line = 0
    good: list[tuple] = []
    issues: list[tuple] = []
    refused_preview, warned_preview = checked.refused_preview, checked.warned_preview

    # A pipelined writer starts on a small first chunk, then chunks grow (fewer, larger statements).
    chunk_rows = PIPELINE_FIRST_CHUNK_ROWS if staged is not None else CHUNK_ROWS
    prefixes = stage.registered_prefixes() if staged is not None else None
    staged_from = 0

    def flush():
        nonlocal good, issues, chunk_rows, staged_from
        if staged is None:
            stage.write(good)
        else:
            # Registered NIKs are looked up here, on this thread's otherwise idle connection, and staged with their
            # participant's id, not by the writer (the slow end of the pipeline), which only confirms them (see
            # _ListWriter.recheck).
            registered = stage.registered_ids([row[1] for row in good], prefixes)
            if registered:
                stage.write([(*row, registered.get(row[1])) for row in good], with_ids=True)
            else:  # a chunk of new people (the usual case): no copy of its rows to add an empty id
                stage.write(good)
        write_issues(batch.pk, issues)
        good, issues = [], []
        if staged is not None:
            lines = (staged_from, line + 1)
            staged(lines, len(registered))
            staged_from = line + 1
            chunk_rows = _next_chunk_rows(chunk_rows, rows_read=checked.total, share_read=source.progress)
        progress(source.progress * 90, _("Memeriksa baris"), rows_total=checked.total, rows_refused=checked.refused)

    with _few_gc_pauses():
        for line, cells in rows:
            checked.total += 1
            result = checker(line, cells)
            if isinstance(result, CheckedRow):
                good.append(result.values)
                if result.warnings:
                    checked.warned += 1
                for issue in result.warnings:
                    if warnings_kept < WARNINGS_KEPT:
                        warnings_kept += 1
                        issues.append((line, WARNING, issue.column, issue.code, issue.message, result.values[1]))
                    if len(warned_preview) < PREVIEW_ROWS:
                        warned_preview.append({"line": line, "nik": result.values[1], "reason": issue.message})
            else:
                checked.refused += 1
                if checked.refused_rows is not None:
                    if len(checked.refused_rows) < REFUSED_ROWS_KEPT:
                        checked.refused_rows.append((line, cells))
                    else:
                        checked.refused_rows = None  # too many to hold: the report reads the file again
                nik = cell_text(cells[nik_at]) if nik_at < len(cells) else ""
                for issue in result:
                    issues.append((line, REFUSED, issue.column, issue.code, issue.message, nik[:40]))
                if len(refused_preview) < PREVIEW_ROWS:
                    refused_preview.append(
                        {
                            "line": line,
                            "nik": nik,
                            "column": result[0].column,
                            "reason": "; ".join(i.message for i in result),
                        }
                    )
            if len(good) >= chunk_rows or len(issues) >= CHUNK_ROWS:
                flush()
    flush()
    if checked.total == 0:
        raise ImportFileError(_("Berkas tidak berisi baris data di bawah baris judul kolom."))
    return checked


def _next_chunk_rows(previous: int, *, rows_read: int, share_read: float) -> int:
    """The pipelined check's next chunk: twice the last one, at most CHUNK_ROWS and at most half of the rows still
    to read (estimated from the share of the file read), at least PIPELINE_FIRST_CHUNK_ROWS.

    The writer's last range is what it still writes once the check is over, so ranges shrink towards the end of the
    file: a 100.000-row XLSX ended on a range of 30.000 rows (~0,4 s of writing after the check) before this.
    """
    remaining = rows_read * (1 - share_read) / share_read if share_read > 0 else CHUNK_ROWS
    return int(max(PIPELINE_FIRST_CHUNK_ROWS, min(CHUNK_ROWS, previous * 2, remaining / 2)))


def _all_or_nothing_refusal(count: int) -> str:
    return _(
        "%(count)s baris ditolak. Dalam mode “semua atau tidak sama sekali” tidak ada yang disimpan: "
        "perbaiki baris-baris itu (lihat laporan baris ditolak) lalu unggah lagi."
    ) % {"count": format_number(count)}


def _validate(batch: ImportBatch) -> None:
    started = time.monotonic()
    progress = _Progress(batch.pk)
    progress(0, _("Membaca berkas"))
    stage = Stage(batch.pk)
    stage.create()
    checked_rows = _check_rows(batch, stage, progress)
    mapping, total, refused_rows = checked_rows.mapping, checked_rows.total, checked_rows.refused
    refused_preview, warned_preview = checked_rows.refused_preview, checked_rows.warned_preview
    stage.finish_loading()
    checked = time.monotonic()
    batch.columns = mapping.describe(PARTICIPANT_COLUMNS)

    progress(92, _("Mencocokkan dengan data yang sudah ada"))
    conflicts = _database_refusals(batch, stage)
    if conflicts:
        write_issues(batch.pk, conflicts)
        stage.mark_refused(sorted({issue[0] for issue in conflicts}))
        refused_rows += len({issue[0] for issue in conflicts})
        for line, _severity, column, _code, message, nik in conflicts[: max(0, PREVIEW_ROWS - len(refused_preview))]:
            refused_preview.append({"line": line, "nik": nik, "column": column, "reason": message})
        refused_preview.sort(key=lambda row: row["line"])
    counts = stage.counts()
    preview = {
        **stage.samples(PREVIEW_ROWS, kinds=[kind for kind in ("new", "updated", "unchanged") if counts[kind]]),
        "refused": refused_preview[:PREVIEW_ROWS],
        "warned": warned_preview,
    }
    batch.preview = preview
    batch.rows_total = total
    batch.rows_refused = refused_rows
    batch.rows_new, batch.rows_updated, batch.rows_unchanged = counts["new"], counts["updated"], counts["unchanged"]
    batch.rows_warned = counts["warned"]
    batch.progress = 100
    batch.step = ""
    if refused_rows and batch.mode == ImportBatch.Mode.ALL_OR_NOTHING:
        stage.drop()
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.error_message = _all_or_nothing_refusal(refused_rows)
    else:
        batch.status = ImportBatch.Status.VALIDATED
    batch.save(update_fields=RESULT_FIELDS)
    logger.info(
        "Import %s checked: %s rows (%s refused) read, checked and staged in %.1f s; compared with the database in "
        "%.1f s",
        batch.pk,
        total,
        refused_rows,
        checked - started,
        time.monotonic() - checked,
    )


def _database_refusals(
    batch: ImportBatch, stage: Stage, lines: tuple[int, int] | None = None, marked: bool = False
) -> list[tuple]:
    """Rows the database refuses: NIKs stored outside the uploader's region or of the deceased, and NIKs already
    paid by another program for an overlapping month. Returns issue tuples (line, severity, column, code, message,
    nik), one per row, first reason wins; ``lines`` and ``marked`` as in ``Stage.existing_conflicts``."""
    user = batch.created_by
    nik_column = _labels_from_batch(batch).get("nik", "NIK")
    found: dict[int, tuple] = {}
    for line, nik, outside, deceased in stage.existing_conflicts(
        scope_codes=user.scope_region_codes(), lines=lines, marked=marked
    ):
        if outside:
            message = _(
                "NIK ini sudah terdaftar sebagai peserta dengan domisili di luar wilayah Anda; "
                "perpindahan domisili diurus Disnaker wilayah asal atau administrator."
            )
            found[line] = (line, REFUSED, nik_column, "registered_elsewhere", message, nik)
        elif deceased:
            message = _("Peserta dengan NIK ini tercatat meninggal dunia.")
            found[line] = (line, REFUSED, nik_column, "deceased", message, nik)
    payers = stage.other_payers(
        program_id=batch.program_id,
        start_month=batch.start_month,
        end_month=batch.end_month,
        lines=lines,
        marked=marked,
    )
    if payers:
        programs = {
            p.pk: p for p in Program.objects.filter(pk__in={row[2] for row in payers}).select_related("owner_region")
        }
        for line, nik, program_id, start, end in payers:
            if line in found:
                continue
            enrolment = Enrolment(program=programs[program_id], start_month=start, end_month=end)
            message = other_payer_message(user=user, enrolment=enrolment)
            found[line] = (line, REFUSED, nik_column, "other_payer", message, nik)
    return [found[line] for line in sorted(found)]


def _labels_from_batch(batch: ImportBatch) -> dict[str, str]:
    mapped = (batch.columns or {}).get("mapped", {})
    labels = {}
    for column in PARTICIPANT_COLUMNS:
        headers = mapped.get(str(column.label))
        labels[column.name] = headers[0] if headers else str(column.label)
    return labels


@transaction.atomic
def import_batch_confirm(*, user, batch: ImportBatch) -> ImportBatch:
    """Start writing a checked list; a second confirmation changes nothing."""
    _require(may_edit_participants(user))
    started = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.RUNNING, progress=0, step=_("Menunggu giliran")
    )
    if not started:
        raise ValidationError(_("Impor ini tidak sedang menunggu konfirmasi."))
    audit_record(
        user=user,
        action="import",
        instance=batch,
        region_code=batch.region_id or "",
        changes={"status": [ImportBatch.Status.VALIDATED, ImportBatch.Status.RUNNING]},
    )
    from participants import tasks

    transaction.on_commit(lambda: tasks.import_batch_commit.delay(batch.pk))
    batch.refresh_from_db()
    return batch


@transaction.atomic
def import_batch_cancel(*, user, batch: ImportBatch) -> ImportBatch:
    """Drop a checked list without writing it."""
    _require(may_edit_participants(user))
    cancelled = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.FAILED, error_message=_("Dibatalkan oleh pengguna."), finished_at=timezone.now()
    )
    if not cancelled:
        raise ValidationError(_("Impor ini tidak dapat dibatalkan lagi."))
    Stage(batch.pk).drop()
    batch.refresh_from_db()
    return batch


class _Aborted(Exception):
    def __init__(self, issues):
        self.issues = issues


def import_batch_commit(*, batch_id: int, write_report: bool = True) -> ImportBatch:
    """Write a confirmed list in one transaction: participants upserted, then enrolled in the program.

    Conflicts that appeared since the check (another import, another program) are refused now; in all-or-nothing
    mode they abort the whole import. A crash leaves nothing half-written. Idempotent: only a RUNNING batch is
    written, and a concurrent second run waits for the first and then finds it DONE.
    """
    batch = ImportBatch.objects.select_related("program", "created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.RUNNING:
        return batch
    progress = _Progress(batch.pk, in_transaction=True)
    try:
        timings, committing = _commit_once_more_after_a_nik_race(batch, progress)
        _log_written(batch, timings, committing)
    except Exception as error:  # noqa: BLE001 - every failure ends on the batch, for the user (see _record_failure)
        _record_write_failure(batch, error)
    finally:
        progress.close()
    refused_before = batch.rows_refused
    batch.refresh_from_db()
    _after_write(batch)
    if write_report and batch.rows_refused != refused_before:
        batch = import_batch_write_report(batch_id=batch.pk)
    return batch


def _log_written(batch: ImportBatch, timings: dict[str, float], committing: float | None) -> None:
    if timings and committing is not None:
        timings["commit"] = time.monotonic() - committing
        steps = "; ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items())
        logger.info("Import %s written: %s", batch.pk, steps)


def _record_write_failure(batch: ImportBatch, error: Exception) -> None:
    """End a list whose writing transaction failed (so nothing of it was written) as FAILED, with the reason."""
    if isinstance(error, _Aborted):
        write_issues(batch.pk, error.issues)
        lines = {issue[0] for issue in error.issues}
        batch.refresh_from_db(fields=["rows_refused"])
        ImportBatch.objects.filter(pk=batch.pk).update(rows_refused=batch.rows_refused + len(lines))
        batch.refresh_from_db()
        _fail(
            batch,
            _(
                "%(count)s baris ditolak karena NIK-nya sudah dibiayai program lain atau terdaftar di wilayah lain "
                "(lihat laporan baris ditolak). Dalam mode “semua atau tidak sama sekali” tidak ada yang disimpan."
            )
            % {"count": format_number(len(lines))},
        )
    elif isinstance(error, ImportFileError):
        _fail(batch, str(error))
    else:
        logger.error("Import batch %s failed while writing", batch.pk, exc_info=error)
        _fail(batch, _unexpected(batch.pk))


def _after_write(batch: ImportBatch) -> None:
    changed = batch.rows_new + batch.rows_updated + batch.rows_enrolled
    if batch.status == ImportBatch.Status.DONE and changed > 10_000:
        refresh_statistics(changed)


def _commit_once_more_after_a_nik_race(
    batch: ImportBatch, progress: _Progress, first_attempt=None
) -> tuple[dict[str, float], float | None]:
    """Run the writing transaction; once more if another writer registered one of the list's new NIKs meanwhile.

    New people are written with a plain INSERT (cheaper than ON CONFLICT): a NIK that a concurrent import or form
    commits between this transaction's lookup of registered NIKs and its insert fails the insert on
    ``participant_nik_unique``. Nothing was written; the second attempt looks the NIKs up again, finds that one
    registered, and updates it like any other known participant. ``first_attempt`` replaces the first
    :func:`_write` (the pipelined writer's own transaction); the second attempt is always a plain one.
    """
    try:
        return (first_attempt or (lambda: _write(batch, progress)))()
    except IntegrityError as error:
        if "participant_nik_unique" not in str(error):
            raise
        logger.info("Import %s: a new NIK was registered by another writer meanwhile; writing again", batch.pk)
    batch.refresh_from_db()
    return _write(batch, progress)


def _write(batch: ImportBatch, progress: _Progress) -> tuple[dict[str, float], float | None]:
    """The writing transaction; returns its step timings and the moment its commit began."""
    with transaction.atomic():
        timings = _commit(batch, progress)
        committing = time.monotonic()
    return timings, committing


class _ListWriter:
    """Writes a checked list inside the writing transaction, a range of its lines at a time.

    For each range: recheck it against the database (NIKs registered elsewhere or by the deceased, or paid by
    another program meanwhile), note which NIKs are registered, then update, insert and enrol. :meth:`finish`
    records the result on the batch and in the audit trail, or raises ``_Aborted`` with every conflict found when
    an all-or-nothing list met one (the caller's transaction then rolls back).
    """

    def __init__(self, batch: ImportBatch, stage: Stage):
        self.batch = batch
        self.stage = stage
        self.timings = {"recheck": 0.0, "registered NIKs found": 0.0}
        self.now = timezone.now()
        self.new = self.updated = self.enrolled = 0
        self.conflicts: list[tuple] = []
        self.known = False

    @property
    def aborting(self) -> bool:
        return bool(self.conflicts) and self.batch.mode == ImportBatch.Mode.ALL_OR_NOTHING

    def begin(self) -> bool:
        """Take this import's writer lock; False when the batch turns out written or dropped meanwhile."""
        if connection.vendor != "postgresql":
            return True
        with connection.cursor() as cursor:
            # One writer per import: a second run of the task waits here, then finds the batch DONE.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, self.batch.pk])
            cursor.execute("SET LOCAL work_mem = '64MB'")
        current = ImportBatch.objects.filter(pk=self.batch.pk).values_list("status", flat=True).first()
        return current == ImportBatch.Status.RUNNING

    def recheck(self, lines: tuple[int, int] | None = None, marked: int | None = None) -> None:
        """Note which staged NIKs are registered, then refuse those the database refuses now.

        ``marked``: how many of these lines the checking thread already marked as registered, outside this
        transaction; only those are looked at again here (still the same NIK?), and a new NIK registered since
        then fails the insert on the unique key (see :func:`_commit_once_more_after_a_nik_race`).
        """
        clock = time.monotonic()
        if marked is None:
            self.known = self.stage.mark_known(lines) > 0
        else:
            self.known = marked > 0 and self.stage.confirm_known(lines) > 0
        self.timings["registered NIKs found"] += time.monotonic() - clock
        clock = time.monotonic()
        conflicts = _database_refusals(self.batch, self.stage, lines, marked=True) if self.known else []
        self.conflicts += conflicts
        if conflicts and not self.aborting:
            write_issues(self.batch.pk, conflicts)
            self.stage.mark_refused([issue[0] for issue in conflicts])
        self.timings["recheck"] += time.monotonic() - clock

    def write(self, low: int, high: int) -> None:
        if self.aborting:
            return
        written = self.stage.write_lines(
            low=low, high=high, batch=self.batch, now=self.now, known=self.known, timings=self.timings
        )
        self.new, self.updated, self.enrolled = (
            total + count for total, count in zip((self.new, self.updated, self.enrolled), written, strict=True)
        )

    def write_whole_stage(self, progress: _Progress) -> None:
        """Recheck the whole staged list with one join each, then write it a range of lines at a time."""
        self.recheck()
        low, high = self.stage.line_range()
        chunk = CHUNK_ROWS * 2
        for start in range(low, high + 1, chunk):
            if self.aborting:
                break
            done = (start - low) / max(1, high + 1 - low)
            progress(5 + done * 90, _("Menyimpan peserta baris %(line)s") % {"line": format_number(start)})
            self.write(start, start + chunk)

    def finish(self) -> dict[str, float]:
        """Record the result, on top of what the check recorded on the batch (rows read, refused and warned).

        Rows kept with a warning are counted again in the staging table only when the database refused rows since
        (a count over a million staged rows took ~0,35 s at the end of the write)."""
        if self.aborting:
            raise _Aborted(self.conflicts)
        rows_total = self.batch.rows_total
        refused_rows = self.batch.rows_refused + len(self.conflicts)
        accepted = rows_total - refused_rows
        warned = self.stage.warned_count() if self.conflicts else self.batch.rows_warned
        self.stage.drop()
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            status=ImportBatch.Status.DONE,
            progress=100,
            step="",
            finished_at=timezone.now(),
            rows_total=rows_total,
            rows_refused=refused_rows,
            rows_new=self.new,
            rows_updated=self.updated,
            rows_unchanged=accepted - self.new - self.updated,
            rows_enrolled=self.enrolled,
            rows_warned=warned,
        )
        audit_record(
            user=self.batch.created_by,
            action="import",
            instance=self.batch,
            region_code=self.batch.region_id or "",
            changes={
                "new": [None, self.new],
                "updated": [None, self.updated],
                "enrolled": [None, self.enrolled],
                "refused": [None, refused_rows],
            },
        )
        return self.timings


def _commit(batch: ImportBatch, progress: _Progress) -> dict[str, float]:
    stage = Stage(batch.pk)
    writer = _ListWriter(batch, stage)
    if not writer.begin():
        return {}
    if not stage.exists():
        raise ImportFileError(_("Hasil pemeriksaan berkas sudah tidak ada; unggah berkasnya lagi."))
    progress(1, _("Memeriksa ulang bentrokan dengan data terbaru"))
    writer.write_whole_stage(progress)
    progress(97, _("Menyelesaikan"))
    return writer.finish()


class _Cancelled(Exception):
    """The check ended the import before it was written (all-or-nothing with a refused row, or a failure)."""


class _PipelinedWriter(threading.Thread):
    """The writing transaction of a list that is still being checked (:func:`import_batch_run` on PostgreSQL).

    The checking thread stages the list a chunk at a time (committed, so this thread's connection sees it) and
    reports each staged range of lines; this thread rechecks each range against the database and writes it in one
    open transaction, on a connection of its own. PostgreSQL writes one chunk while Python checks the next: both
    cores work, where the page's path (check, then confirm, then write) uses one at a time. The result is the
    same: the same checks per row, the same statements per range, one transaction for the whole list.
    """

    def __init__(self, batch_id: int):
        super().__init__(name=f"import-{batch_id}-writer", daemon=True)
        self.batch_id = batch_id
        self.messages: queue.SimpleQueue = queue.SimpleQueue()
        self.timings: dict[str, float] = {}
        self.committing: float | None = None
        self.error: Exception | None = None
        self.ended: str | None = None  # "finish" or "cancel", once the check has said so

    def staged(self, lines: tuple[int, int], marked: int) -> None:
        self.messages.put(("staged", (lines, marked)))

    def finish(self) -> None:
        self.messages.put(("finish", None))

    def cancel(self) -> None:
        self.messages.put(("cancel", None))

    def run(self):
        try:
            batch = ImportBatch.objects.select_related("program", "created_by").get(pk=self.batch_id)
            progress = _Progress(batch.pk, in_transaction=True)
            try:
                self.timings, self.committing = _commit_once_more_after_a_nik_race(
                    batch, progress, first_attempt=lambda: self._write_while_checked(batch)
                )
            finally:
                progress.close()
            _log_written(batch, self.timings, self.committing)
            # Here, not after the join: the planner's statistics are refreshed while the report is still being
            # written. The list is committed: a failure here is logged, not the import's.
            try:
                batch.refresh_from_db()
                _after_write(batch)
            except DatabaseError:
                logger.exception("Import %s: the planner's statistics were not refreshed", batch.pk)
        except _Cancelled:
            pass
        except Exception as error:  # noqa: BLE001 - handed to the checking thread, which records it on the batch
            self.error = error
        finally:
            connection.close()

    def _next(self) -> tuple[str, tuple | None]:
        kind, line = self.messages.get()
        if kind != "staged":
            self.ended = kind
        return kind, line

    def _wait_for_the_check(self) -> None:
        """Before a second attempt: wait until the whole list is staged (or the check ended the import)."""
        while self.ended is None:
            self._next()
        if self.ended == "cancel":
            raise _Cancelled

    def _write_while_checked(self, batch: ImportBatch) -> tuple[dict[str, float], float]:
        stage = Stage(batch.pk)
        try:
            with transaction.atomic():
                writer = _ListWriter(batch, stage)
                if not writer.begin():
                    raise _Cancelled
                with connection.cursor() as cursor:
                    # The staging table grows while this transaction reads it, unanalysed: without this PostgreSQL
                    # would scan all of it for each range instead of using its line index (and joins by index).
                    cursor.execute("SET LOCAL enable_seqscan = off")
                    # Any deferred foreign key is checked after each statement, while the list is still being
                    # checked, not all at commit (since 0009-0011 the import's tables have none left; this keeps a
                    # new one from piling up ~8 s per million rows at commit, as the desa key once did).
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                while True:
                    kind, staged = self._next()
                    if kind == "cancel":
                        raise _Cancelled
                    if kind == "finish":
                        break
                    lines, marked = staged
                    writer.recheck(lines, marked)
                    writer.write(*lines)
                batch.refresh_from_db(fields=["rows_total", "rows_refused", "rows_warned"])
                timings = writer.finish()
                committing = time.monotonic()
        except IntegrityError:
            self._wait_for_the_check()
            raise
        return timings, committing


def _check_in_a_yielding_thread(batch: ImportBatch, stage: Stage, progress: _Progress, staged) -> _Checked:
    """:func:`_check_rows` in a thread of its own that yields the CPU to the writer (nice +10, Linux) when the list
    brings mostly new people.

    Writing new people is the slow end of the pipeline. With three busy processes on two cores (this check, its
    connection's COPY, the writer), the scheduler gave the writer about 2/3 of a core while the check ran. The check
    has time to spare, so it now waits instead. A list of people already registered has little to write: the check
    is the slow end, and it keeps its priority. The first chunk decides, and the niceness ends with the thread.
    """
    outcome: dict = {}
    decided = []

    def staged_then_yield(lines: tuple[int, int], marked: int) -> None:
        if not decided:
            decided.append(True)
            if marked * 2 < lines[1] - lines[0]:
                with contextlib.suppress(AttributeError, OSError):  # not Linux, or not permitted: run as is
                    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        staged(lines, marked)

    def check():
        try:
            outcome["checked"] = _check_rows(batch, stage, progress, staged=staged_then_yield, keep_refused=True)
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread below
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=check, name=f"import-{batch.pk}-check", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["checked"]


def _run_pipelined(batch: ImportBatch, *, write_report: bool, timings: dict) -> ImportBatch:
    """Check a list and write it at the same time, then record the outcome (see :class:`_PipelinedWriter`)."""
    if not ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PENDING).update(
        status=ImportBatch.Status.RUNNING
    ):
        return batch
    started = time.monotonic()
    progress = _Progress(batch.pk)
    progress(0, _("Membaca dan menyimpan berkas"))
    stage = Stage(batch.pk)
    stage.create()
    writer = _PipelinedWriter(batch.pk)
    writer.start()
    try:
        checked = _check_in_a_yielding_thread(batch, stage, progress, staged=writer.staged)
    except Exception as error:  # noqa: BLE001 - recorded on the batch for the user
        writer.cancel()
        writer.join()
        if isinstance(error, ImportFileError):
            _fail(batch, str(error))
        else:
            logger.exception("Import batch %s failed while checking", batch.pk)
            _fail(batch, _unexpected(batch.pk))
        return batch
    refused_all = checked.refused and batch.mode == ImportBatch.Mode.ALL_OR_NOTHING
    ImportBatch.objects.filter(pk=batch.pk).update(
        columns=checked.mapping.describe(PARTICIPANT_COLUMNS),
        preview={"refused": checked.refused_preview, "warned": checked.warned_preview},
        rows_total=checked.total,
        rows_refused=checked.refused,
        rows_warned=checked.warned,
        progress=95,
        step=_("Menyelesaikan penyimpanan"),
    )
    logger.info(
        "Import %s checked: %s rows (%s refused) read, checked and staged in %.1f s, written meanwhile",
        batch.pk,
        checked.total,
        checked.refused,
        time.monotonic() - started,
    )
    report = None
    read = (checked.mapping, checked.refused_rows) if checked.refused_rows is not None else None
    if write_report and checked.refused and not refused_all:
        report = _ReportWriter(batch.pk, read)
        report.start()
    if refused_all:
        writer.cancel()
    else:
        writer.finish()
    writer.join()
    if report is not None:
        timings["error_report"] = report.wait()
    batch.refresh_from_db()
    if refused_all:
        _fail(batch, _all_or_nothing_refusal(checked.refused))
    elif writer.error is not None:
        _record_write_failure(batch, writer.error)
    batch.refresh_from_db()
    if write_report and (report is None or batch.rows_refused != checked.refused):
        clock = time.monotonic()
        # Rows the database refused are not among those the check kept: read the file again for them.
        batch = import_batch_write_report(
            batch_id=batch.pk, read=read if batch.rows_refused == checked.refused else None
        )
        timings["error_report"] += time.monotonic() - clock
    return batch


class _ReportWriter(threading.Thread):
    """Writes the refused-rows report in a thread of its own (with its own database connection)."""

    def __init__(self, batch_id: int, read=None):
        super().__init__(name=f"import-{batch_id}-report", daemon=True)
        self.batch_id = batch_id
        self.read = read
        self.seconds = 0.0
        self.error: BaseException | None = None

    def run(self):
        started = time.monotonic()
        try:
            import_batch_write_report(batch_id=self.batch_id, read=self.read)
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread by wait()
            self.error = error
        finally:
            connection.close()
            self.seconds = time.monotonic() - started

    def wait(self) -> float:
        self.join()
        if self.error is not None:
            raise self.error
        return self.seconds


def import_batch_run(*, batch: ImportBatch, write_report: bool = True, timings: dict | None = None) -> ImportBatch:
    """Check and, unless the check failed, write, and write the refused-rows report: the page's pipeline without
    its confirmation step, in this process (for the command line).

    On PostgreSQL the list is written while it is still being checked (:class:`_PipelinedWriter`), and the report
    of refused rows is written by a third thread once the check is over, while the writing transaction finishes.
    Elsewhere, or inside a caller's transaction (a second connection would not see its rows), the steps run one
    after another, as the page runs them. ``timings`` receives the report's own seconds as ``"error_report"``.
    """
    timings = {} if timings is None else timings
    timings["error_report"] = 0.0
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _run_pipelined(batch, write_report=write_report, timings=timings)
    batch = import_batch_validate(batch_id=batch.pk, write_report=False)
    if batch.status == ImportBatch.Status.VALIDATED:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
            status=ImportBatch.Status.RUNNING
        )
        batch = import_batch_commit(batch_id=batch.pk, write_report=False)
    if write_report:
        started = time.monotonic()
        batch = import_batch_write_report(batch_id=batch.pk)
        timings["error_report"] += time.monotonic() - started
    return batch


def import_batches_discard_stale(*, now: datetime.datetime | None = None) -> int:
    """Drop imports left behind (and their staging tables) after ``PARTICIPANT_IMPORT_STALE_HOURS``.

    Checked lists nobody confirmed, and checks or writes whose worker died (a task runs at most an hour, so
    anything older than the setting is not running any more). A write that died left nothing behind: it was one
    transaction.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.PARTICIPANT_IMPORT_STALE_HOURS)
    waiting = (ImportBatch.Status.PENDING, ImportBatch.Status.VALIDATED, ImportBatch.Status.RUNNING)
    stale = list(ImportBatch.objects.filter(status__in=waiting, created_at__lt=cutoff).values_list("pk", "status"))
    for batch_id, status in stale:
        message = (
            _("Kedaluwarsa: tidak dikonfirmasi dalam %(hours)s jam.")
            if status == ImportBatch.Status.VALIDATED
            else _("Proses impor terhenti dan tidak selesai dalam %(hours)s jam; tidak ada data yang disimpan.")
        ) % {"hours": settings.PARTICIPANT_IMPORT_STALE_HOURS}
        updated = ImportBatch.objects.filter(pk=batch_id, status=status).update(
            status=ImportBatch.Status.FAILED, error_message=message, finished_at=timezone.now(), step=""
        )
        if updated:
            Stage(batch_id).drop()
    return len(stale)


# --- BPJS's reply: KPJ numbers for the collective registration --------------------------------------------------
def bpjs_reply_import(*, batch_id: int) -> ImportBatch:
    """Store the KPJ number, membership start and status BPJS returned for a program's registration list.

    Reports NIKs in the reply that are not in the program's list (in the user's region) as refused rows, and NIKs
    in the list that the reply leaves out as warnings. A second run with the same file changes nothing.
    """
    batch = ImportBatch.objects.select_related("program", "created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.PENDING:
        return batch
    try:
        with transaction.atomic():
            _apply_bpjs_reply(batch)
    except ImportFileError as error:
        _fail(batch, str(error))
    except Exception:  # noqa: BLE001 - recorded on the batch for the user, logged with the traceback for us
        logger.exception("BPJS reply import %s failed", batch_id)
        _fail(batch, _unexpected(batch_id))
    batch.refresh_from_db()
    return batch


def _apply_bpjs_reply(batch: ImportBatch) -> None:
    from participants.selectors import bpjs_registration_participants

    user = batch.created_by
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, step=_("Membaca balasan"))
    listed = {
        row["nik"]: row
        for row in bpjs_registration_participants(user=user, program=batch.program).values(
            "pk", "nik", "kpj", "bpjs_membership_start", "bpjs_status"
        )
    }
    mapping, _header_line, rows = rows_after_header(SourceFile(batch.source_path), BPJS_REPLY_COLUMNS)
    labels = {c.name: (mapping.headers[mapping.positions[c.name][0]] if c.name in mapping.positions else str(c.label))
              for c in BPJS_REPLY_COLUMNS}  # fmt: skip

    def cell(cells, name):
        positions = mapping.positions.get(name)
        return cells[positions[0]] if positions and positions[0] < len(cells) else None

    today = timezone.localdate()
    seen: dict[str, int] = {}
    issues, changes = [], []
    total = refused = unchanged = 0
    for line, cells in rows:
        total += 1
        raw_nik = cell(cells, "nik")
        if isinstance(raw_nik, int | float) and not isinstance(raw_nik, bool):
            raw_nik = float(raw_nik)
        check = validate_nik(raw_nik, today=today)
        problems = [(labels["nik"], issue.code, issue.message) for issue in check.errors]
        kpj_raw = cell(cells, "kpj")
        kpj = cell_text(kpj_raw).replace(" ", "").replace(".", "").replace("-", "")
        if not kpj.isdigit():
            problems.append(
                (labels["kpj"], "kpj", _("Nomor KPJ %(value)s harus berupa angka.") % {"value": kpj or "-"})
            )
        elif len(kpj) > 11:
            problems.append((labels["kpj"], "kpj", _("Nomor KPJ %(value)s lebih dari 11 digit.") % {"value": kpj}))
        start = parse_date(cell(cells, "membership_start"), today=today)
        if isinstance(start, str):
            problems.append((labels["membership_start"], "membership_start", _("Tanggal kepesertaan: %s.") % start))
            start = None
        status = cell_text(cell(cells, "status")).upper()[:30]
        if not problems:
            if check.nik in seen:
                problems.append(
                    (labels["nik"], "nik_duplicate", _("NIK sudah ada di baris %(line)s.") % {"line": seen[check.nik]})
                )
            elif check.nik not in listed:
                problems.append(
                    (
                        labels["nik"],
                        "not_in_list",
                        _("NIK ini tidak ada di daftar peserta program %(program)s di wilayah Anda.")
                        % {"program": batch.program.name},
                    )
                )
        nik_text = check.nik or cell_text(raw_nik)
        if problems:
            refused += 1
            issues += [(line, REFUSED, column, code, message, nik_text[:40]) for column, code, message in problems]
            continue
        seen[check.nik] = line
        stored = listed[check.nik]
        wanted = {
            "kpj": kpj,
            "bpjs_membership_start": start or stored["bpjs_membership_start"],
            "bpjs_status": status or stored["bpjs_status"],
        }
        if all(stored[field] == value for field, value in wanted.items()):
            unchanged += 1
        else:
            changes.append(Participant(pk=stored["pk"], updated_at=timezone.now(), **wanted))
    if total == 0:
        raise ImportFileError(_("Berkas tidak berisi baris data di bawah baris judul kolom."))
    Participant.objects.bulk_update(
        changes, ["kpj", "bpjs_membership_start", "bpjs_status", "updated_at"], batch_size=2000
    )
    missing = sorted(set(listed) - set(seen))
    issues += [
        (
            None,
            WARNING,
            labels["nik"],
            "not_in_reply",
            _("NIK ada di daftar program tetapi tidak ada di balasan BPJS."),
            nik,
        )
        for nik in missing
    ]
    write_issues(batch.pk, issues)
    batch.rows_total = total
    batch.rows_refused = refused
    batch.rows_updated = len(changes)
    batch.rows_unchanged = unchanged
    batch.rows_warned = len(missing)
    batch.preview = {
        "refused": [{"line": i[0], "nik": i[5], "column": i[2], "reason": i[4]} for i in issues if i[1] == REFUSED][
            :PREVIEW_ROWS
        ],
        "not_in_reply": missing[:PREVIEW_ROWS],
    }
    batch.status = ImportBatch.Status.DONE
    batch.progress = 100
    batch.step = ""
    batch.finished_at = timezone.now()
    batch.save(update_fields=RESULT_FIELDS)
    if refused:
        write_error_report(batch, BPJS_REPLY_COLUMNS)
    audit_record(
        user=user,
        action="import",
        instance=batch,
        region_code=batch.region_id or "",
        changes={"kpj_updated": [None, len(changes)], "refused": [None, refused], "not_in_reply": [None, len(missing)]},
    )
