"""Personal API tokens: a user's own key for other systems, carrying exactly that user's role and region scope.

Only a SHA-256 digest of the token is stored: the token is a random 256-bit secret, so a fast hash is enough (no
password stretching needed) and a database dump reveals no usable key. The first characters after the fixed
``rentan_`` label are kept in clear as ``prefix`` to find the row, and to name the token in lists and the audit trail.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_LABEL = "rentan_"  # noqa: S105 - the public label every token starts with, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens neither revoked nor expired at ``now``."""
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token; who uses it acts as ``user``, with that user's role and region scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pengguna"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("nama token"), max_length=100, help_text=_("Mis. sistem mana yang memakainya."))
    prefix = models.CharField(_("awalan"), max_length=12)
    digest = models.CharField(_("sidik SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    expires_at = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["prefix"], name="api_token_prefix_unique"),
            models.CheckConstraint(name="api_token_digest_hex", condition=Q(digest__regex=r"^[0-9a-f]{64}$")),
        ]

    def __str__(self):
        return f"{self.name} ({TOKEN_LABEL}{self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
