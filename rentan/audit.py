"""The audit trail: every write and every sensitive read goes through :func:`audit_record`.

Services call it inside their own transaction, so the audit row and the change commit (or roll back) together.
Values are stored as JSON-safe text; money and dates keep their exact textual form.
"""

import datetime
from decimal import Decimal

from django.db import models

from rentan.models import AuditEvent


def _plain(value):
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Decimal | datetime.date | datetime.datetime):
        return str(value)
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of ``instance`` (foreign keys as ids), for before/after comparisons."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def audit_record(
    *,
    user,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_code: str = "",
    changes: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event; pass ``instance`` for a model row, or the object_* fields for anything else."""
    if instance is not None:
        object_type = object_type or instance._meta.label
        object_id = object_id or str(instance.pk)
        object_repr = object_repr or str(instance)[:200]
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        region_code=region_code,
        changes=changes or {},
        reason=reason,
    )


def _region_of(instance: models.Model) -> str:
    """The region code an object belongs to, read from fields already loaded (no query)."""
    for name in ("region_code", "desa_id", "region_id", "owner_region_id"):
        value = getattr(instance, name, None)
        if isinstance(value, str) and value:
            return value
    participant = getattr(instance, "participant", None)  # claims, enrolments
    return (getattr(participant, "desa_id", None) or "") if participant is not None else ""


def audit_read(
    request,
    target: models.Model | str,
    *,
    action: str = "view",
    detail: str = "",
    reason: str = "",
    region_code: str | None = None,
    object_id: str = "",
) -> AuditEvent:
    """Record that personal data was seen or downloaded (UU 27/2022: sensitive reads are logged like writes).

    ``request`` is the HttpRequest (or, from a command or task, the user). ``target`` is the model row that was
    read (participant, claim, import batch, ...) or, for a list or a file, a label such as
    ``"participants.export"``. ``action`` is one of ``AuditEvent.Action``: ``view`` (a detail page), ``reveal``
    (a full NIK), ``export`` (a list download), ``download`` (a report or document), ``import`` (an upload).
    ``detail`` says what exactly (filters, format, file name; never a NIK), ``reason`` why (required for
    ``reveal``). Call it after the object was found for the user and before the response is returned, so a
    refused or missing object writes nothing. ``audit_user_access`` lists these rows.
    """
    user = getattr(request, "user", request)
    instance = target if isinstance(target, models.Model) else None
    if region_code is None:
        region_code = _region_of(instance) if instance is not None else (getattr(user, "region_id", None) or "")
    return audit_record(
        user=user,
        action=action,
        instance=instance,
        object_type="" if instance is not None else target,
        object_id=object_id,
        object_repr="" if instance is not None else detail,
        region_code=region_code,
        changes={"detail": detail} if detail else None,
        reason=reason,
    )
