"""Every write of the API app: creating and revoking personal tokens, each with its audit row."""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api.access import REVEALED
from api.models import TOKEN_LABEL, ApiToken, token_digest
from rentan.audit import audit_record

MAX_ACTIVE_TOKENS = 10


def _new_secret() -> tuple[str, str]:
    """(prefix, full token): ``rentan_<8 hex>_<43 url-safe characters>``, 256 random bits after the prefix."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_LABEL}{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_token_create(*, user, name: str, expires_on: datetime.date | None = None) -> tuple[ApiToken, str]:
    """Create a personal token for ``user`` and return it with its secret, which is shown once and never stored.

    The token carries the user's own role and region scope at the time of each call (nothing is copied onto it),
    so a changed role or a deactivated account takes effect on the next call.
    """
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Nama token wajib diisi.")})
    if expires_on is not None and expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": _("Tanggal berlaku harus sesudah hari ini.")})
    if ApiToken.objects.filter(user=user).usable().count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("Paling banyak %(n)s token aktif per pengguna; cabut token yang tidak dipakai.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    expires_at = None
    if expires_on is not None:
        # Valid through the whole of the chosen day, Jakarta time.
        expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
    for _attempt in range(3):
        prefix, secret = _new_secret()
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user, name=name[:100], prefix=prefix, digest=token_digest(secret), expires_at=expires_at
                )
            break
        except IntegrityError:  # the 8-hex prefix collided with another token's: draw again
            continue
    else:  # pragma: no cover - three collisions in 2^32 do not happen
        raise ValidationError(_("Token tidak dapat dibuat; coba lagi."))
    audit_record(
        user=user,
        action="create",
        instance=token,
        changes={"name": [None, token.name], "prefix": [None, prefix], "expires_at": [None, str(expires_at or "")]},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens: refused from the next call on. Revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise PermissionDenied
    now = timezone.now()
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit_record(user=user, action="update", instance=token, changes={"revoked_at": [None, str(now)]})
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Note when the token was last used, at most once a minute (a write per call would cost every call)."""
    now = timezone.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - datetime.timedelta(minutes=1))
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)


def api_call_record(*, request, status_code: int, region_code: str = "") -> None:
    """One audit row per API call, like a page view: who (and with which token), what, and the answer's status.

    Writes made by the call are audited by their own services as well; this row says the call happened.
    """
    user = getattr(request, "user", None)
    token = getattr(request, "auth", None)
    via = f"token {TOKEN_LABEL}{token.prefix}" if isinstance(token, ApiToken) else "sesi"
    path = request.get_full_path()
    revealed = getattr(request, REVEALED, False)
    audit_record(
        user=user,
        action="reveal" if revealed else "view",
        object_type="api",
        object_id=f"{request.method} {request.path}"[:64],
        object_repr=f"{request.method} {path}"[:200],
        region_code=region_code[:13],
        changes={"status": [None, status_code], "via": [None, via]},
        # UU 27/2022: a full NIK shown is a sensitive read; the portal asks a typed reason, an API call has its use.
        reason=_("NIK lengkap dikirim lewat API") if revealed else "",
    )
