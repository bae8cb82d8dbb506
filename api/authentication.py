"""Authentication of API calls by personal token (``Authorization: Bearer rentan_…``)."""

import hmac

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.models import TOKEN_LABEL, ApiToken, token_digest
from api.services import api_token_touch


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A personal token in the Authorization header; the call then runs as the token's user, scope and all.

    Listed first in the settings, so an unauthenticated call gets 401 with ``WWW-Authenticate: Bearer``
    (DRF takes that header from the first authentication class).
    """

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Header Authorization harus berbentuk 'Bearer <token>'."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Token tidak valid.")) from None
        return self.authenticate_token(request, secret)

    def authenticate_token(self, request, secret: str):
        prefix = secret.removeprefix(TOKEN_LABEL).split("_", 1)[0] if secret.startswith(TOKEN_LABEL) else ""
        token = (
            ApiToken.objects.usable().select_related("user").filter(prefix=prefix).first() if len(prefix) == 8 else None
        )
        # Compare digests in constant time; an unknown, revoked or expired token gets the same answer.
        if token is None or not hmac.compare_digest(token.digest, token_digest(secret)):
            raise exceptions.AuthenticationFailed(_("Token tidak valid, sudah dicabut, atau sudah kedaluwarsa."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Akun pemilik token ini tidak aktif."))
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
