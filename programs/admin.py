from django.contrib import admin

from programs.models import (
    Bill,
    BillCredit,
    BillLine,
    BillPrice,
    Branch,
    Budget,
    Holiday,
    IuranDiscount,
    IuranDiscountFunding,
    IuranRate,
    Occupation,
    Payment,
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Bills, their lines, payments and credits are written only by ``programs.billing`` (settlement, credits and
    the audit trail follow every change there); the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BillPriceInline(admin.TabularInline):
    model = BillPrice
    extra = 0
    fields = ("funding_source", "is_transport", "jiwa", "gross", "discount_amount", "amount", "rule", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("program", "month", "kind", "jiwa", "amount", "paid_amount", "due_date", "settled_on")
    list_filter = ("kind", "month")
    list_select_related = ("program",)
    search_fields = ("program__name", "program__code")
    inlines = [BillPriceInline]


@admin.register(BillLine)
class BillLineAdmin(ReadOnlyAdmin):
    list_display = ("bill", "enrolment", "month", "amount")
    list_select_related = ("bill__program", "enrolment__participant", "enrolment__program")
    raw_id_fields = ("bill", "enrolment", "price")
    show_full_result_count = False  # a month of a province program is a million lines


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("bill", "paid_on", "amount", "sp2d_number", "kode_rekening", "created_by")
    list_select_related = ("bill__program", "created_by")
    search_fields = ("sp2d_number", "bill__program__name")


@admin.register(BillCredit)
class BillCreditAdmin(ReadOnlyAdmin):
    list_display = ("source_bill", "target_month", "target_bill", "amount", "credited_on")
    list_select_related = ("source_bill__program", "target_bill__program")
