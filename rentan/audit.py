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
