from django.contrib import admin

from programs.models import (
    Branch,
    Budget,
    Holiday,
    IuranDiscount,
    IuranDiscountFunding,
    IuranRate,
    Occupation,
    Program,
    Region,
    RegionTarget,
)


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


@admin.register(IuranRate)
class IuranRateAdmin(admin.ModelAdmin):
    list_display = ("component", "kind", "value", "valid_from", "valid_to", "regulation")
    list_filter = ("component", "kind")
    ordering = ("component", "valid_from")


class IuranDiscountFundingInline(admin.TabularInline):
    model = IuranDiscountFunding
    extra = 0
    fields = ("funding_source", "is_discounted", "excluded_by_regulation", "note")
    # Set by the seeding migration from the regulation's text; an operator decides only the sources it leaves open.
    readonly_fields = ("excluded_by_regulation",)


@admin.register(IuranDiscount)
class IuranDiscountAdmin(admin.ModelAdmin):
    list_display = ("name", "percent", "sector", "valid_from", "valid_to", "regulation")
    list_filter = ("sector",)
    inlines = [IuranDiscountFundingInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "kind", "source")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
