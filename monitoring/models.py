"""Coverage snapshots: what the dashboard, the exports and the monthly report read instead of the participants.

A snapshot is derived data, written only by the coverage job (``monitoring.coverage``): one row per region (every
level), month, and filter (all programs or one program, all funding sources or one). Recomputing a month replaces
its rows. The snapshot tables' foreign keys have no database constraint: the job writes hundreds of thousands of
rows a month in one INSERT … SELECT whose codes and ids come from the referenced tables themselves, and a
per-row foreign-key check at commit would cost more than the rest of the job. They cascade in Django, because
nothing here is a record of its own: the job can always write it again.
"""

import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import FundingSource, Program, Region

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def percent(part, whole) -> Decimal | None:
    """``part ÷ whole × 100`` to two decimals, half up; None when the denominator is missing or zero."""
    if part is None or not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


class CoverageRun(models.Model):
    """One run of the coverage job over a span of months: who asked, how far it got, how it ended."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("Menunggu giliran")
        RUNNING = "RUNNING", _("Sedang dihitung")
        DONE = "DONE", _("Selesai")
        FAILED = "FAILED", _("Gagal")

    class Trigger(models.TextChoices):
        NIGHTLY = "NIGHTLY", _("Jadwal malam")
        BUTTON = "BUTTON", _("Tombol di dasbor")
        COMMAND = "COMMAND", _("Perintah manage.py")

    first_month = models.DateField(_("bulan pertama"))
    last_month = models.DateField(_("bulan terakhir"))
    trigger = models.CharField(_("pemicu"), max_length=8, choices=Trigger)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    step = models.CharField(_("tahap"), max_length=120, blank=True)
    months_done = models.PositiveIntegerField(_("bulan selesai"), default=0)
    rows_written = models.PositiveIntegerField(_("baris ringkasan ditulis"), default=0)
    error_message = models.TextField(_("pesan kegagalan"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("perhitungan cakupan")
        verbose_name_plural = _("perhitungan cakupan")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="coverage_run_months_ordered", condition=Q(last_month__gte=models.F("first_month"))
            ),
            models.CheckConstraint(name="coverage_run_progress_range", condition=Q(progress__lte=100)),
        ]

    def __str__(self):
        return f"{self.first_month:%Y-%m}…{self.last_month:%Y-%m} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def month_count(self) -> int:
        return (self.last_month.year - self.first_month.year) * 12 + self.last_month.month - self.first_month.month + 1


class CoverageMonth(models.Model):
    """A month whose snapshot exists: when it was computed, and by which run (the dashboard's month list)."""

    month = models.DateField(_("bulan"), primary_key=True)
    run = models.ForeignKey(CoverageRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField(_("dihitung pada"))
    # The time inside the job's transaction (the commit that follows is not in it).
    seconds = models.DecimalField(_("lama hitung (detik)"), max_digits=9, decimal_places=2, default=0)
    active = models.PositiveIntegerField(_("peserta aktif (semua wilayah)"), default=0)
    rows = models.PositiveIntegerField(_("baris ringkasan"), default=0)

    class Meta:
        verbose_name = _("bulan cakupan")
        verbose_name_plural = _("bulan cakupan")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(name="coverage_month_first_day", condition=Q(month__day=1))]

    def __str__(self):
        return f"{self.month:%Y-%m}"


class CoverageSnapshot(models.Model):
    """Active participants of one region in one month, for all programs or one, all funding sources or one.

    ``program`` NULL means every program and ``funding_source`` "" every funding source; the row with both is the
    region's total, the only one that carries a gap to target. A NIK paid twice in a month is counted once, under
    its earliest-starting enrolment, so the rows of one region add up to its total along every dimension.
    Denominators and targets are copied from ``RegionTarget`` (the latest year up to the month's) when computed.
    """

    month = models.DateField(_("bulan"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Region.Level)
    parent_code = models.CharField(_("kode induk"), max_length=13, blank=True)
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, null=True, blank=True, related_name="+", db_index=False, db_constraint=False
    )
    funding_source = models.CharField(_("sumber dana"), max_length=10, choices=FundingSource, blank=True)

    active = models.PositiveIntegerField(_("peserta aktif"), default=0)
    active_male = models.PositiveIntegerField(_("laki-laki"), default=0)
    active_female = models.PositiveIntegerField(_("perempuan"), default=0)

    penduduk_bekerja = models.BigIntegerField(_("penduduk bekerja"), null=True, blank=True)
    semesta_rentan = models.BigIntegerField(_("semesta pekerja rentan"), null=True, blank=True)
    ucj_target_pct = models.DecimalField(_("target UCJ (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    target_jiwa = models.BigIntegerField(_("target jiwa pekerja rentan"), null=True, blank=True)
    targets_year = models.PositiveSmallIntegerField(_("tahun target"), null=True, blank=True)

    # Only on the total row: what closing the gap to the target jiwa costs for a year at this month's rate.
    typical_funding_source = models.CharField(_("sumber dana acuan"), max_length=10, blank=True)
    monthly_iuran = models.DecimalField(_("iuran per bulan"), max_digits=18, decimal_places=2, null=True, blank=True)
    gap_jiwa = models.BigIntegerField(_("kekurangan jiwa"), null=True, blank=True)
    gap_rupiah = models.DecimalField(
        _("kebutuhan anggaran setahun"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # Only on the total row: active participants per pekerjaan category, {"<occupation id>": n}. One JSON value per
    # region rather than a row per region and category: a twentieth of the rows for the job to write.
    by_occupation = models.JSONField(_("per pekerjaan"), null=True, blank=True)
    computed_at = models.DateTimeField(_("dihitung pada"))

    class Meta:
        verbose_name = _("ringkasan cakupan")
        verbose_name_plural = _("ringkasan cakupan")
        # Four indexes in all (each costs on the job's insert): the two unique ones also serve a region's own
        # rows over a span of months (trend, headline, breakdowns), the third its children's and deleting a month.
        constraints = [
            models.UniqueConstraint(
                fields=["region", "funding_source", "month"],
                condition=Q(program__isnull=True),
                name="coverage_snapshot_unique_all_programs",
            ),
            models.UniqueConstraint(
                fields=["region", "program", "funding_source", "month"],
                condition=Q(program__isnull=False),
                name="coverage_snapshot_unique_program",
            ),
        ]
        indexes = [
            models.Index(
                fields=["month", "parent_code", "funding_source", "program"], name="coverage_snapshot_children"
            ),
        ]

    def __str__(self):
        return f"{self.region_id} {self.month:%Y-%m} {self.program_id or '*'} {self.funding_source or '*'}"

    @property
    def is_total(self) -> bool:
        return self.program_id is None and not self.funding_source

    @property
    def coverage_ucj_pct(self) -> Decimal | None:
        """Domain brief §6: distinct NIK with active membership ÷ penduduk bekerja × 100."""
        return percent(self.active, self.penduduk_bekerja)

    @property
    def coverage_rentan_pct(self) -> Decimal | None:
        """Covered pekerja rentan ÷ semesta pekerja rentan × 100."""
        return percent(self.active, self.semesta_rentan)

    @property
    def rentan_target_pct(self) -> Decimal | None:
        """The target jiwa as a share of the semesta, for drawing it next to the rentan coverage."""
        return percent(self.target_jiwa, self.semesta_rentan)


def report_upload_to(instance, filename: str) -> str:
    """A random name under the region and month: a report's path says nothing a guesser could use."""
    return f"laporan/{instance.region_id}/{instance.month:%Y-%m}/v{instance.version}-{secrets.token_hex(12)}.pdf"


class MonitoringReport(models.Model):
    """One version of the monthly rapat monitoring report of a region: requested, rendered once, kept.

    A request is a row; the render task moves it PENDING → RUNNING → DONE (or FAILED) with conditional updates,
    so a task delivered twice, or again after its worker was killed, leaves one finished report. Rendering a month
    again makes a new version; older versions stay downloadable. The PDF lives in private storage (never under
    the web root) and is served only by a view that checks the region.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Menunggu giliran")
        RUNNING = "RUNNING", _("Sedang dibuat")
        DONE = "DONE", _("Selesai")
        FAILED = "FAILED", _("Gagal")

    class Trigger(models.TextChoices):
        SCHEDULE = "SCHEDULE", _("Jadwal bulanan")
        BUTTON = "BUTTON", _("Tombol di halaman laporan")
        COMMAND = "COMMAND", _("Perintah manage.py")

    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("bulan laporan"))
    version = models.PositiveIntegerField(_("versi"))
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    trigger = models.CharField(_("pemicu"), max_length=8, choices=Trigger)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("diminta pada"), auto_now_add=True)
    started_at = models.DateTimeField(_("mulai dibuat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("selesai dibuat"), null=True, blank=True)
    # How many times a worker took the request: more than one means a worker died while rendering it.
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    worker = models.CharField(_("pekerja"), max_length=120, blank=True)
    data_as_of = models.DateTimeField(_("data per"), null=True, blank=True)
    file = models.FileField(_("berkas PDF"), upload_to=report_upload_to, max_length=200, blank=True)
    size = models.PositiveIntegerField(_("ukuran (byte)"), default=0)
    pages = models.PositiveSmallIntegerField(_("halaman"), default=0)
    seconds = models.DecimalField(_("lama pembuatan (detik)"), max_digits=8, decimal_places=2, default=0)
    error_message = models.TextField(_("pesan kegagalan"), blank=True)

    class Meta:
        verbose_name = _("laporan rapat monitoring")
        verbose_name_plural = _("laporan rapat monitoring")
        ordering = ["region_id", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month", "version"], name="monitoring_report_version_unique"),
            # The monthly job asks once per region and month, however often beat fires.
            models.UniqueConstraint(
                fields=["region", "month"], condition=Q(trigger="SCHEDULE"), name="monitoring_report_scheduled_once"
            ),
            models.CheckConstraint(name="monitoring_report_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(name="monitoring_report_done_has_file", condition=~Q(status="DONE") | ~Q(file="")),
        ]

    def __str__(self):
        return f"{self.region_id} {self.month:%Y-%m} v{self.version} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def download_name(self) -> str:
        return f"laporan-monitoring-{self.region_id}-{self.month:%Y-%m}-v{self.version}.pdf"


class ReportNote(models.Model):
    """A note or recommendation staff write for a region's rapat monitoring of one month (report section 7)."""

    class Kind(models.TextChoices):
        CATATAN = "CATATAN", _("Catatan")
        REKOMENDASI = "REKOMENDASI", _("Rekomendasi / tindak lanjut")

    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("bulan laporan"))
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind, default=Kind.CATATAN)
    text = models.TextField(_("isi"), max_length=2000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("ditulis pada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah pada"), auto_now=True)

    class Meta:
        verbose_name = _("catatan rapat monitoring")
        verbose_name_plural = _("catatan rapat monitoring")
        ordering = ["region_id", "-month", "kind", "created_at", "pk"]
        constraints = [models.CheckConstraint(name="report_note_month_first_day", condition=Q(month__day=1))]

    def __str__(self):
        return f"{self.region_id} {self.month:%Y-%m} {self.get_kind_display()}"
