from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import FundingSource, Occupation, Program, Region
from rentan.access import region_q

NIK_PATTERN = r"^[0-9]{16}$"


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
    desa = models.ForeignKey(
        Region,
        verbose_name=_("desa/kelurahan domisili"),
        on_delete=models.PROTECT,
        related_name="participants",
        limit_choices_to={"level": Region.Level.DESA},
    )
    pekerjaan = models.ForeignKey(
        Occupation, verbose_name=_("pekerjaan"), on_delete=models.PROTECT, related_name="participants"
    )
    no_hp = models.CharField(_("nomor HP"), max_length=20, blank=True)
    kpj = models.CharField(_("nomor KPJ"), max_length=11, blank=True)
    data_source = models.CharField(_("sumber data"), max_length=12, choices=DataSource, default=DataSource.LAINNYA)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.AKTIF)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("peserta")
        verbose_name_plural = _("peserta")
        ordering = ["nama", "nik"]
        constraints = [
            # A UniqueConstraint, not unique=True: no extra varchar_pattern_ops index to maintain on imports.
            models.UniqueConstraint(fields=["nik"], name="participant_nik_unique"),
            models.CheckConstraint(name="participant_nik_16_digits", condition=Q(nik__regex=NIK_PATTERN)),
        ]

    def __str__(self):
        return self.nama


class EnrolmentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(region_q(user, "participant__desa__code"))

    def active_in(self, month):
        """Enrolments that cover ``month`` (the first day of a month)."""
        return self.filter(Q(end_month__isnull=True) | Q(end_month__gte=month), start_month__lte=month)


class Enrolment(models.Model):
    """A participant's membership paid by one program for a period of months."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="enrolments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrolments")
    funding_source = models.CharField(_("sumber dana"), max_length=10, choices=FundingSource)
    start_month = models.DateField(_("bulan mulai"))
    end_month = models.DateField(_("bulan selesai"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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
        ]
        indexes = [models.Index(fields=["program", "start_month"], name="enrolment_program_start")]

    def __str__(self):
        return f"{self.participant} · {self.program}"
