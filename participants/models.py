import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import FundingSource, Occupation, Program, Region
from rentan.access import region_q

NIK_PATTERN = r"^[0-9]{16}$"
# The far end of an open enrolment, for comparisons that must also work on SQLite (no 'infinity' there).
OPEN_END = datetime.date(9999, 12, 1)


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Completed years of age on ``day`` of someone born on ``born``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ParticipantQuerySet(models.QuerySet):
    def for_user(self, user):
        # Scoped by domicile, never by the NIK's region digits (those record the first registration).
        return self.filter(region_q(user, "desa__code"))


class Participant(models.Model):
    """A pekerja rentan, keyed by NIK (16 digits, kept as text: Excel keeps only 15 significant digits)."""

    class Sex(models.TextChoices):
        LAKI_LAKI = "L", _("Laki-laki")
        PEREMPUAN = "P", _("Perempuan")

    class DataSource(models.TextChoices):
        P3KE = "P3KE", _("P3KE")
        DTSEN = "DTSEN", _("DTKS/DTSEN")
        USULAN_DESA = "USULAN_DESA", _("Usulan desa")
        LAINNYA = "LAINNYA", _("Lainnya")

    class Status(models.TextChoices):
        AKTIF = "AKTIF", _("Aktif")
        MENINGGAL = "MENINGGAL", _("Meninggal dunia")
        NONAKTIF = "NONAKTIF", _("Nonaktif")

    nik = models.CharField(_("NIK"), max_length=16)
    nama = models.CharField(_("nama"), max_length=150)
    tanggal_lahir = models.DateField(_("tanggal lahir"))
    tempat_lahir = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    jenis_kelamin = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex)
    alamat = models.CharField(_("alamat"), max_length=255, blank=True)
    # Neither reference is a foreign key in the database: a statement trigger checks them once per statement, not
    # once per inserted row (migration 0011). The desa index is the one in Meta.indexes.
    desa = models.ForeignKey(
        Region,
        verbose_name=_("desa/kelurahan domisili"),
        on_delete=models.PROTECT,
        related_name="participants",
        limit_choices_to={"level": Region.Level.DESA},
        db_constraint=False,
        db_index=False,
    )
    pekerjaan = models.ForeignKey(
        Occupation,
        verbose_name=_("pekerjaan"),
        on_delete=models.PROTECT,
        related_name="participants",
        db_constraint=False,
    )
    no_hp = models.CharField(_("nomor HP"), max_length=20, blank=True)
    # What BPJS Ketenagakerjaan answers after registering the collective list (see ``bpjs_reply_import``).
    kpj = models.CharField(_("nomor KPJ"), max_length=11, blank=True)
    bpjs_membership_start = models.DateField(_("mulai kepesertaan BPJS"), null=True, blank=True)
    bpjs_status = models.CharField(_("status di BPJS"), max_length=30, blank=True)
    data_source = models.CharField(_("sumber data"), max_length=12, choices=DataSource, default=DataSource.LAINNYA)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.AKTIF)
    # The list import that created the row or last changed it (null when typed in by hand). No constraint in the
    # database: a list import writes the same batch id on up to a million rows, and checking each at commit cost
    # ~10 µs a row; the id comes from the import's own ImportBatch, and batches are never deleted (PROTECT in Django).
    last_import = models.ForeignKey(
        "ImportBatch",
        verbose_name=_("impor terakhir"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        ordering = ["nama", "nik"]
        indexes = [
            # Serves both lookups made on the column, = and LIKE 'code.%' (a scope and the regions below it).
            models.Index(fields=["desa"], name="participant_desa", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # A UniqueConstraint, not unique=True: no extra varchar_pattern_ops index to maintain on imports.
            models.UniqueConstraint(fields=["nik"], name="participant_nik_unique"),
            models.CheckConstraint(name="participant_nik_16_digits", condition=Q(nik__regex=NIK_PATTERN)),
        ]

    def __str__(self):
        return self.nama

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.tanggal_lahir, day)


class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(region_q(user, "participant__desa__code"))

    def active_in(self, month):
        """Enrolments that cover ``month`` (the first day of a month), whether or not their iuran was paid."""
        return self.filter(Q(end_month__isnull=True) | Q(end_month__gte=month), start_month__lte=month)

    def in_force_in(self, month):
        """Enrolments that protect their participant in ``month``: covering it and not ended by arrears.

        The ORM twin of ``monitoring.coverage.enrolment_active_sql``; claims and bills use this one.
        """
        return self.active_in(month).filter(Q(nonaktif_from__isnull=True) | Q(nonaktif_from__gt=month))

    def overlapping(self, start_month, end_month=None):
        """Enrolments sharing at least one month with ``start_month`` … ``end_month`` (open when None)."""
        overlap = Q(end_month__isnull=True) | Q(end_month__gte=start_month)
        if end_month is not None:
            overlap &= Q(start_month__lte=end_month)
        return self.filter(overlap)


class Enrolment(models.Model):
    """A participant's membership paid by one program for a period of months."""

    # Indexes are few on purpose: a list import writes one enrolment per participant, and every index costs
    # there. (participant, start_month) serves lookups by participant and the one-payer check of migration 0008;
    # (program, start_month) serves lookups by program.
    # The reference to the participant is checked by PostgreSQL set-based, once per statement, instead of a
    # foreign key checked row by row at commit (migration 0010: ~7 µs less per enrolment of a list import).
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments", db_index=False, db_constraint=False
    )
    # No database constraint on program and created_by (migration 0009): a list import writes the same program and
    # user on up to a million enrolments, each checked again at commit; both come from the import's own rows, and
    # Django still PROTECTs them (programs and users are deactivated, not deleted).
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="enrolments", db_index=False, db_constraint=False
    )
    funding_source = models.CharField(_("sumber dana"), max_length=10, choices=FundingSource)
    start_month = models.DateField(_("bulan mulai"))
    end_month = models.DateField(_("bulan selesai"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Arrears (BPJS Perdir 22/2022, domain brief §2), maintained set-based by ``programs.billing.arrears_refresh``
    # from the bills and payments: the first iuran month no longer protected because more than
    # ``IURAN_ARREARS_NONAKTIF_AFTER`` consecutive months went unpaid (null: never), and the unpaid months now.
    nonaktif_from = models.DateField(_("nonaktif sejak bulan"), null=True, blank=True)
    # A database default too: list imports and benchmarks write enrolments with raw SQL/COPY.
    arrears_months = models.PositiveSmallIntegerField(_("bulan menunggak"), default=0, db_default=0)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("kepesertaan program")
        verbose_name_plural = _("kepesertaan program")
        constraints = [
            models.CheckConstraint(
                name="enrolment_months_ordered",
                condition=Q(end_month__isnull=True) | Q(end_month__gte=models.F("start_month")),
            ),
            models.CheckConstraint(name="enrolment_starts_on_first_day", condition=Q(start_month__day=1)),
            models.CheckConstraint(
                name="enrolment_ends_on_first_day", condition=Q(end_month__isnull=True) | Q(end_month__day=1)
            ),
            # One payer per NIK per month (domain brief §7) is also enforced by the database on PostgreSQL: the
            # triggers ``enrolment_one_payer_per_month_insert``/``_update`` of migration 0008 (raw SQL; they
            # replaced 0004's exclusion constraint, ten times dearer per row) refuse an overlap with SQLSTATE 23P01
            # naming ``enrolment_one_payer_per_month``.
        ]
        indexes = [
            models.Index(fields=["program", "start_month"], name="enrolment_program_start"),
            models.Index(fields=["participant", "start_month"], name="enrolment_participant_start"),
        ]

    def __str__(self):
        return f"{self.participant} · {self.program}"

    def overlaps(self, other: "Enrolment") -> bool:
        return self.start_month <= (other.end_month or OPEN_END) and other.start_month <= (self.end_month or OPEN_END)


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user):
        """Imports made in the user's region, and the user's own (BPJS officers have a branch, not a region)."""
        if not user.is_authenticated:
            return self.none()
        if user.scope_region_codes() is None:
            return self  # region_q() is an empty Q for "everything", and Q() | Q(x) would narrow it to x
        return self.filter(region_q(user, "region__code") | Q(created_by=user))


class ImportBatch(models.Model):
    """One uploaded list (participants into a program, or BPJS's reply): who, when, which file, what happened.

    A list import goes PENDING (uploaded, being checked) → VALIDATED (preview shown) → RUNNING (confirmed, being
    written) → DONE, or FAILED at any point with ``error_message``. Row-level problems are ``ImportIssue`` rows.
    """

    class Kind(models.TextChoices):
        PARTICIPANTS = "PARTICIPANTS", _("Daftar peserta")
        BPJS_REPLY = "BPJS_REPLY", _("Balasan BPJS (KPJ)")

    class Mode(models.TextChoices):
        SKIP_BAD_ROWS = "SKIP_BAD_ROWS", _("Lewati baris yang salah")
        ALL_OR_NOTHING = "ALL_OR_NOTHING", _("Semua atau tidak sama sekali")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Sedang diperiksa")
        VALIDATED = "VALIDATED", _("Siap dikonfirmasi")
        RUNNING = "RUNNING", _("Sedang disimpan")
        DONE = "DONE", _("Selesai")
        FAILED = "FAILED", _("Gagal")

    kind = models.CharField(_("jenis"), max_length=12, choices=Kind, default=Kind.PARTICIPANTS)
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="imports")
    mode = models.CharField(_("mode"), max_length=14, choices=Mode, default=Mode.SKIP_BAD_ROWS)
    start_month = models.DateField(_("bulan mulai kepesertaan"), null=True, blank=True)
    end_month = models.DateField(_("bulan selesai kepesertaan"), null=True, blank=True)
    default_pekerjaan = models.ForeignKey(
        Occupation,
        verbose_name=_("pekerjaan bila kolom kosong"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    data_source = models.CharField(
        _("sumber data"), max_length=12, choices=Participant.DataSource, default=Participant.DataSource.LAINNYA
    )
    file_name = models.CharField(_("nama berkas"), max_length=255)
    source_path = models.CharField(_("lokasi berkas"), max_length=500)
    error_report_path = models.CharField(_("laporan baris ditolak"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("diunggah oleh"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("wilayah pengunggah"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    step = models.CharField(_("tahap"), max_length=100, blank=True)
    error_message = models.TextField(_("pesan kegagalan"), blank=True)
    columns = models.JSONField(_("pemetaan kolom"), default=dict, blank=True)
    preview = models.JSONField(_("contoh baris"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("baris"), default=0)
    rows_new = models.PositiveIntegerField(_("baru"), default=0)
    rows_updated = models.PositiveIntegerField(_("diperbarui"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("tidak berubah"), default=0)
    rows_refused = models.PositiveIntegerField(_("ditolak"), default=0)
    rows_warned = models.PositiveIntegerField(_("dengan peringatan"), default=0)
    rows_enrolled = models.PositiveIntegerField(_("kepesertaan baru"), default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("impor daftar")
        verbose_name_plural = _("impor daftar")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(name="import_batch_progress_0_100", condition=Q(progress__lte=100)),
            models.CheckConstraint(
                name="import_batch_months_ordered",
                condition=Q(end_month__isnull=True) | Q(end_month__gte=models.F("start_month")),
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def rows_accepted(self) -> int:
        return self.rows_new + self.rows_updated + self.rows_unchanged


class ImportIssue(models.Model):
    """A problem with one row of an import: refused (not written) or a warning (written, worth a look)."""

    class Severity(models.TextChoices):
        REFUSED = "REFUSED", _("Ditolak")
        WARNING = "WARNING", _("Peringatan")

    # No index of its own: import_issue_batch_line below starts with the batch (one index less to fill per refused row).
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="issues", db_index=False)
    line = models.PositiveIntegerField(_("baris"), null=True, blank=True)
    severity = models.CharField(_("jenis"), max_length=7, choices=Severity)
    column_name = models.CharField(_("kolom"), max_length=100, blank=True)
    code = models.CharField(_("kode"), max_length=40)
    message = models.TextField(_("alasan"))
    nik = models.CharField(_("NIK"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("catatan baris impor")
        verbose_name_plural = _("catatan baris impor")
        ordering = ["batch_id", "line", "pk"]
        indexes = [models.Index(fields=["batch", "severity", "line"], name="import_issue_batch_line")]

    def __str__(self):
        return f"{self.line}: {self.message}"
