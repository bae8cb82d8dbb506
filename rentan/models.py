from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A portal user; what they may see follows from their role and their region or branch."""

    class Role(models.TextChoices):
        DISNAKER = "disnaker", _("Operator Disnaker")
        BPJS = "bpjs", _("Petugas BPJS Ketenagakerjaan cabang")
        PIMPINAN = "pimpinan", _("Pimpinan / Sekda")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("peran"), max_length=10, choices=Role, default=Role.DISNAKER)
    # Disnaker operators and pimpinan work for one region node and see everything below it.
    region = models.ForeignKey(
        "programs.Region",
        verbose_name=_("wilayah kerja"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # BPJS officers work for one branch, which covers a set of kabupaten/kota.
    branch = models.ForeignKey(
        "programs.Branch",
        verbose_name=_("kantor cabang"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        # Granted by an administrator (directly or through the group "Penampil NIK lengkap"); BPJS officers and
        # administrators hold it by role (see may_reveal_nik). UU 27/2022 Pasal 16: least necessary disclosure.
        permissions = [("reveal_nik", _("Boleh menampilkan NIK lengkap (dengan alasan, tercatat di jejak audit)"))]
        constraints = [
            models.CheckConstraint(
                name="user_scope_matches_role",
                condition=(
                    Q(role__in=["disnaker", "pimpinan"], region__isnull=False, branch__isnull=True)
                    | Q(role="bpjs", branch__isnull=False, region__isnull=True)
                    | Q(role="admin", region__isnull=True, branch__isnull=True)
                ),
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def may_reveal_nik(self) -> bool:
        """Who may see a full NIK (one at a time, with a reason, audited) and download lists with full NIKs.

        BPJS branch officers register and pay by NIK and administrators answer data-subject requests, so both hold
        it by role; a Disnaker operator or pimpinan holds it only when an administrator grants ``rentan.reveal_nik``.
        """
        if not self.is_active:
            return False
        return self.is_administrator or self.role == self.Role.BPJS or self.has_perm("rentan.reveal_nik")

    @property
    def is_read_only(self) -> bool:
        """Pimpinan read dashboards and reports; they change nothing."""
        return self.role == self.Role.PIMPINAN

    @property
    def may_manage_programs(self) -> bool:
        """Disnaker operators run their region's programs and budgets; BPJS and pimpinan only read them."""
        return self.is_active and (self.is_administrator or self.role == self.Role.DISNAKER)

    def scope_region_codes(self) -> list[str] | None:
        """Codes of the regions whose subtree this user may see; None means every region."""
        if not self.is_active:
            return []
        if self.is_administrator:
            return None
        if self.role == self.Role.BPJS:
            if self.branch_id is None:
                return []
            return sorted(self.branch.regions.values_list("code", flat=True))
        return [self.region_id] if self.region_id else []

    @property
    def scope_label(self) -> str:
        if self.is_administrator:
            return str(_("Seluruh Indonesia"))
        if self.role == self.Role.BPJS and self.branch_id:
            return str(self.branch)
        return str(self.region) if self.region_id else "-"


class AuditEvent(models.Model):
    """One line of the append-only audit trail (UU 27/2022 PDP): who did or saw what, when, and what changed."""

    class Action(models.TextChoices):
        CREATE = "create", _("Buat")
        UPDATE = "update", _("Ubah")
        DELETE = "delete", _("Hapus")
        VIEW = "view", _("Lihat")
        REVEAL = "reveal", _("Tampilkan NIK")
        EXPORT = "export", _("Ekspor")
        IMPORT = "import", _("Impor")
        DOWNLOAD = "download", _("Unduh")
        SUBJECT_ACCESS = "dsar", _("Permintaan akses subjek data")

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        "rentan.User", verbose_name=_("pengguna"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=10, choices=Action)
    object_type = models.CharField(_("jenis data"), max_length=60)
    object_id = models.CharField(_("ID data"), max_length=64, blank=True)
    object_repr = models.CharField(_("data"), max_length=200, blank=True)
    # The region the object belongs to, so an investigation can ask "who touched Kaur's data".
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True)
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)
    reason = models.CharField(_("alasan"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["user", "at"], name="audit_user_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        # Append-only: the database refuses UPDATE and DELETE too (trigger on PostgreSQL).
        if not self._state.adding:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")
