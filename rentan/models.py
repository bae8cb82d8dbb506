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
    def is_read_only(self) -> bool:
        """Pimpinan read dashboards and reports; they change nothing."""
        return self.role == self.Role.PIMPINAN

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
