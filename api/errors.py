"""Every API error as JSON ``{"code", "message", "errors"}`` with a message in Bahasa Indonesia.

Bad input is a 4xx, never a 500: DRF's own exceptions (401, 403, 404, 405, 406, 415, parse errors, throttling),
Django's ``Http404``/``PermissionDenied``/``ValidationError`` raised by selectors and services, and the claim
workflow's refusals all come through :func:`exception_handler`. Anything else is a bug: it is logged with its
traceback and answered with a plain JSON 500 that shows no detail.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from claims.rules import MissingRule
from claims.services import ClaimActionRefused

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """The request is well-formed but the object's state refuses it (a workflow step out of order)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _messages() -> dict[str, str]:
    return {
        "not_authenticated": _(
            "Anda belum masuk: kirim token API di header Authorization (Bearer) atau masuk ke portal."
        ),
        "authentication_failed": _("Autentikasi gagal."),
        "permission_denied": _("Anda tidak berwenang melakukan tindakan ini."),
        "not_found": _("Data tidak ditemukan."),
        "method_not_allowed": _("Metode HTTP ini tidak didukung pada alamat ini."),
        "not_acceptable": _("Format jawaban yang diminta tidak tersedia; gunakan application/json."),
        "unsupported_media_type": _("Jenis isi permintaan tidak didukung; kirim application/json."),
        "parse_error": _("Isi permintaan bukan JSON yang valid."),
        "invalid": _("Data yang dikirim tidak valid."),
        "throttled": _("Terlalu banyak permintaan; coba lagi nanti."),
        "conflict": _("Permintaan ditolak oleh aturan alur kerja."),
        "server_error": _("Terjadi kesalahan pada server; tim teknis dapat melihat rinciannya di log."),
    }


def _plain(detail):
    """DRF's ErrorDetail trees as plain lists and dicts of strings."""
    if isinstance(detail, dict):
        return {str(key): _plain(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return [_plain(item) for item in detail]
    return str(detail)


def error_response(code: str, status_code: int, *, message: str = "", errors=None, headers=None) -> Response:
    body = {"code": code, "message": message or _messages().get(code, _messages()["invalid"]), "errors": errors or {}}
    return Response(body, status=status_code, headers=headers)


def _django_validation_errors(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if key == "__all__" else key): list(value) for key, value in
                error.message_dict.items()}  # fmt: skip
    return {"non_field_errors": list(error.messages)}


def exception_handler(exc, context):
    headers = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        set_rollback()
        return error_response("invalid", 400, errors=_django_validation_errors(exc))
    elif isinstance(exc, ClaimActionRefused):
        set_rollback()
        messages = [str(m) for m in exc.messages]
        return error_response("conflict", 409, message=messages[0], errors={"reasons": messages[1:]})
    elif isinstance(exc, MissingRule):
        return error_response("invalid", 400, message=str(exc))
    if not isinstance(exc, exceptions.APIException):
        logger.error("Unexpected API error", exc_info=exc)
        return error_response("server_error", 500)

    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    code = exc.default_code if isinstance(exc.default_code, str) else "invalid"
    if isinstance(exc, exceptions.ValidationError):
        detail = _plain(exc.detail)
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return error_response("invalid", exc.status_code, errors=errors, headers=headers)
    # DRF's stock details are English and sometimes technical ("JSON parse error - …"): our sentence instead.
    # Our authentication class and Conflict raise with Indonesian sentences of their own.
    message = str(exc.detail) if isinstance(exc, exceptions.AuthenticationFailed | Conflict) else ""
    return error_response(code, exc.status_code, message=message, headers=headers)
