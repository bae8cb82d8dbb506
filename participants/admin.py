from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from participants.models import Enrolment, ImportBatch, Participant
from participants.resources import ParticipantResource
from rentan.audit import audit_read
from rentan.subject_access import subject_access_download


@admin.register(Participant)
class ParticipantAdmin(ImportExportModelAdmin):
    resource_classes = [ParticipantResource]
    list_display = ("nama", "nik", "desa", "pekerjaan", "kpj", "status")
    list_filter = ("status", "data_source")
    search_fields = ("nik", "nama", "kpj")
    raw_id_fields = ("desa", "last_import")
    list_select_related = ("desa", "pekerjaan")
    show_full_result_count = False
    actions = [subject_access_download]

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """django-import-export's download (full NIKs, administrators only) is audited like every export."""
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        audit_read(request, "participants.admin_export", action="export", detail=f"{queryset.count()} baris")
        return data


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("participant", "program", "funding_source", "start_month", "end_month")
    raw_id_fields = ("participant",)
    list_select_related = ("participant", "program")
    show_full_result_count = False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Imports are records: readable here, changed only by the import pipeline."""

    list_display = ("pk", "file_name", "kind", "program", "created_by", "created_at", "status", "rows_total")
    list_filter = ("kind", "status")
    search_fields = ("file_name",)
    list_select_related = ("program", "created_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
