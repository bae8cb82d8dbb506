from django.contrib import admin

from participants.models import Enrolment, Participant


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("nama", "nik", "desa", "pekerjaan", "status")
    list_filter = ("status", "data_source")
    search_fields = ("nik", "nama")
    raw_id_fields = ("desa",)
    list_select_related = ("desa", "pekerjaan")
    show_full_result_count = False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("participant", "program", "funding_source", "start_month", "end_month")
    raw_id_fields = ("participant",)
    list_select_related = ("participant", "program")
    show_full_result_count = False
