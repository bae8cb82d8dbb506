from django.contrib import admin

from programs.models import Branch, Budget, Occupation, Program, Region, RegionTarget


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "postal_code")
    list_filter = ("level",)
    search_fields = ("code", "name")
    readonly_fields = ("code", "level", "kind", "parent")
    show_full_result_count = False


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")
    filter_horizontal = ("regions",)


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_transport")
    search_fields = ("name", "code")


class BudgetInline(admin.TabularInline):
    model = Budget
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "owner_region", "funding_source", "target_jiwa")
    list_filter = ("funding_source",)
    search_fields = ("name", "code")
    autocomplete_fields = ("owner_region",)
    inlines = [BudgetInline]


@admin.register(RegionTarget)
class RegionTargetAdmin(admin.ModelAdmin):
    list_display = ("region", "year", "indicator", "value", "source")
    list_filter = ("year", "indicator", "source")
    autocomplete_fields = ("region",)
