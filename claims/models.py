from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.models import Participant
from programs.models import Branch
from rentan.access import region_q


class ClaimQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(region_q(user, "participant__desa__code"))


class Claim(models.Model):
    """A JKM, JKK or beasiswa claim of a protected worker, tracked from report to payment (brief §5)."""

    class Type(models.TextChoices):
        JKM = "JKM", _("Jaminan Kematian (JKM)")
        JKK = "JKK", _("Jaminan Kecelakaan Kerja (JKK)")
        BEASISWA = "BEASISWA", _("Beasiswa")

    class Status(models.TextChoices):
        DIAJUKAN = "DIAJUKAN", _("Diajukan")
        VERIFIKASI = "VERIFIKASI", _("Verifikasi berkas")
        BERKAS_KURANG = "BERKAS_KURANG", _("Berkas kurang")
        BERKAS_LENGKAP = "BERKAS_LENGKAP", _("Berkas lengkap")
        DISETUJUI = "DISETUJUI", _("Disetujui")
        DITOLAK = "DITOLAK", _("Ditolak")
        DIBAYAR = "DIBAYAR", _("Dibayar")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="claims")
    type = models.CharField(_("jenis klaim"), max_length=10, choices=Type)
    status = models.CharField(_("status"), max_length=15, choices=Status, default=Status.DIAJUKAN)
    incident_date = models.DateField(_("tanggal kejadian"))
    incident_place = models.CharField(_("tempat kejadian"), max_length=200, blank=True)
    cause = models.CharField(_("penyebab"), max_length=255, blank=True)
    branch = models.ForeignKey(Branch, verbose_name=_("kantor cabang"), on_delete=models.PROTECT, related_name="claims")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("dilaporkan pada"))
    benefit_amount = models.DecimalField(_("nilai manfaat"), max_digits=18, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(_("tanggal dibayar"), null=True, blank=True)
    payment_reference = models.CharField(_("referensi pembayaran"), max_length=100, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("klaim")
        verbose_name_plural = _("klaim")
        ordering = ["-reported_at"]
        constraints = [
            models.CheckConstraint(
                name="claim_benefit_not_negative",
                condition=Q(benefit_amount__isnull=True) | Q(benefit_amount__gte=Decimal("0")),
            ),
            models.CheckConstraint(
                name="claim_paid_has_date",
                condition=~Q(status="DIBAYAR") | Q(paid_on__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} · {self.participant}"
