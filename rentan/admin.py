from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from rentan.models import AuditEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "region", "branch", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("region", "branch")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Peran dan wilayah kerja"), {"fields": ("role", "region", "branch")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Search the audit trail; it can be read here, never changed."""

    list_display = ("at", "user", "action", "object_type", "object_id", "object_repr", "region_code")
    list_filter = ("action", "object_type")
    search_fields = ("user__username", "object_id", "object_repr", "region_code", "reason")
    date_hierarchy = "at"
    list_select_related = ("user",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
