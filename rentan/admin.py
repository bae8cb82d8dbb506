from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from rentan.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "region", "branch", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("region", "branch")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Peran dan wilayah kerja"), {"fields": ("role", "region", "branch")}),
    )
