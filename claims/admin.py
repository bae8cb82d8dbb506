from django.contrib import admin

from claims.models import Claim


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("participant", "type", "status", "incident_date", "branch")
    list_filter = ("type", "status")
    raw_id_fields = ("participant",)
    list_select_related = ("participant", "branch")
