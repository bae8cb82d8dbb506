"""Data subject access (UU 27/2022 Pasal 32): everything Rentan holds about one NIK, and the log of its processing.

The rows are found generically, so models added later are included without touching this module:

1. every model with a field named ``nik`` is searched for the NIK (participants, heirs, import issues, ...);
2. from each row found, the reverse relations (one-to-many and one-to-one: enrolments, claims, heirs, documents,
   payments, benefit lines, bills, ...) are walked, a few levels deep; forward relations (region, program, branch,
   import batch) are reported by id and name but not walked, since they are not about the person;
3. the audit trail of every object found, of the import batches the NIK came in, and of earlier subject-access
   requests about it, is added: who created, changed, saw, revealed, exported or downloaded it, and when.

Exports of whole lists are audited per list, not per person: the report says which list exports happened, not
whether this person was in them. The request itself is audited (action ``dsar``) before the answer is returned.
"""

import datetime
import hashlib
import io
import json
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rentan.audit import audit_record
from rentan.exports import neutralise
from rentan.models import AuditEvent

MAX_DEPTH = 3
SKIP_MODELS = {"rentan.auditevent", "rentan.user", "sessions.session", "admin.logentry"}


def _value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal | datetime.date | datetime.datetime | datetime.time):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile: its stored name
        return value.name or ""
    return value


def _row(instance: models.Model) -> dict:
    data = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        data[field.attname] = _value(value)
        if field.is_relation and value is not None:
            related = getattr(instance, field.name, None)  # the name a reader understands, next to the id
            data[f"{field.name}__teks"] = str(related)[:200] if related is not None else ""
    return data


def _models_with_nik():
    for model in apps.get_models():
        if model._meta.label_lower in SKIP_MODELS:
            continue
        field = next((f for f in model._meta.concrete_fields if f.name == "nik"), None)
        if field is not None:
            yield model


def _reverse_relations(model):
    for relation in model._meta.related_objects:
        # related_name="+" hides the accessor, not the foreign key: such relations are walked too.
        if relation.many_to_many or relation.related_model._meta.label_lower in SKIP_MODELS:
            continue
        yield relation


def _collect(nik: str) -> dict[str, dict[object, models.Model]]:
    """``{model label: {pk: instance}}`` for every row about the NIK and every row hanging below them."""
    found: dict[str, dict[object, models.Model]] = defaultdict(dict)
    frontier: list[models.Model] = []
    for model in _models_with_nik():
        for instance in model._default_manager.filter(nik=nik):
            if instance.pk not in found[model._meta.label]:
                found[model._meta.label][instance.pk] = instance
                frontier.append(instance)
    for _depth in range(MAX_DEPTH):
        by_model: dict[type, set] = defaultdict(set)
        for instance in frontier:
            by_model[type(instance)].add(instance.pk)
        frontier = []
        for model, pks in by_model.items():
            for relation in _reverse_relations(model):
                related = relation.related_model
                rows = related._default_manager.filter(**{f"{relation.field.name}__in": pks})
                for instance in rows:
                    label = related._meta.label
                    if instance.pk not in found[label]:
                        found[label][instance.pk] = instance
                        frontier.append(instance)
        if not frontier:
            break
    return found


def _audit_events(found, nik: str):
    """The audit trail of the objects found, of the import batches the NIK came in, and of earlier requests."""
    condition = Q(object_type="rentan.SubjectAccess", object_id=_nik_key(nik))
    batch_ids = set()
    for label, rows in found.items():
        condition |= Q(object_type=label, object_id__in=[str(pk) for pk in rows])
        for instance in rows.values():
            for name in ("batch_id", "last_import_id"):  # the list a row arrived in
                if getattr(instance, name, None):
                    batch_ids.add(str(getattr(instance, name)))
    if batch_ids:
        condition |= Q(object_type="participants.ImportBatch", object_id__in=batch_ids)
    return AuditEvent.objects.filter(condition).select_related("user").order_by("at", "pk")


def _nik_key(nik: str) -> str:
    """Earlier requests about a NIK are found by this digest; the audit row never holds the NIK itself."""
    return hashlib.sha256(nik.encode()).hexdigest()[:32]


def _event_row(event: AuditEvent) -> dict:
    return {
        "waktu": timezone.localtime(event.at).isoformat(timespec="seconds"),
        "pengguna": event.user.username if event.user_id else "",
        "tindakan": event.action,
        "jenis_data": event.object_type,
        "id_data": event.object_id,
        "data": event.object_repr,
        "wilayah": event.region_code,
        "alasan": event.reason,
        "perubahan": event.changes,
    }


def subject_access_report(*, nik: str, user=None, reason: str = "") -> dict:
    """Everything held about ``nik`` and the log of its processing; the request is audited (action ``dsar``)."""
    nik = nik.strip()
    found = _collect(nik)
    events = [_event_row(event) for event in _audit_events(found, nik)]
    report = {
        "nik": nik,
        "dibuat": timezone.localtime().isoformat(timespec="seconds"),
        "dasar": "UU 27/2022 Pasal 32",
        "data": {
            label: [_row(instance) for instance in rows.values()] for label, rows in sorted(found.items()) if rows
        },
        "jejak_audit": events,
    }
    audit_record(
        user=user,
        action=AuditEvent.Action.SUBJECT_ACCESS,
        object_type="rentan.SubjectAccess",
        object_id=_nik_key(nik),
        object_repr=f"{sum(len(rows) for rows in found.values())} baris, {len(events)} kejadian audit",
        reason=reason[:255],
    )
    return report


def report_json(report: dict) -> bytes:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str).encode("utf-8")


def report_xlsx(report: dict) -> bytes:
    """One sheet per kind of data plus one for the audit trail; every cell is text (NIKs keep 16 digits) and
    neutralised against formula injection."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for label, rows in report["data"].items():
        header = sorted({key for row in rows for key in row})
        _sheet(workbook, label, header, ([row.get(key) for key in header] for row in rows))
    events = report["jejak_audit"]
    header = list(events[0]) if events else ["waktu", "pengguna", "tindakan", "jenis_data", "id_data"]
    _sheet(workbook, "jejak_audit", header, ([event.get(key) for key in header] for event in events))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(workbook, title: str, header: list[str], rows) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append([neutralise(name) for name in header])
    for row in rows:
        sheet.append([neutralise(_cell(value)) for value in row])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


@admin.action(description=gettext_lazy("Unduh semua data tentang NIK ini (akses subjek data, UU PDP Pasal 32)"))
def subject_access_download(modeladmin, request, queryset):
    """Admin action on a model with a ``nik`` field: the subject-access report of the one selected row, as XLSX."""
    niks = sorted(set(queryset.values_list("nik", flat=True)))
    if len(niks) != 1:
        modeladmin.message_user(request, _("Pilih tepat satu orang."), level=messages.ERROR)
        return None
    report = subject_access_report(nik=niks[0], user=request.user, reason=_("admin: permintaan subjek data"))
    response = HttpResponse(
        report_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="akses-subjek-data-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
