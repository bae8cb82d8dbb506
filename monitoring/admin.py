from django.contrib import admin

from monitoring.models import CoverageMonth, CoverageRun


@admin.register(CoverageRun)
class CoverageRunAdmin(admin.ModelAdmin):
    """Runs are written by the job only: the admin shows them for troubleshooting."""

    list_display = ("pk", "first_month", "last_month", "trigger", "status", "progress", "created_at", "finished_at")
    list_filter = ("status", "trigger")
    readonly_fields = [f.name for f in CoverageRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CoverageMonth)
class CoverageMonthAdmin(admin.ModelAdmin):
    list_display = ("month", "computed_at", "active", "rows", "seconds")
    readonly_fields = [f.name for f in CoverageMonth._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
