from django.contrib import admin

from claims.models import (
    AhliWaris,
    BenefitRule,
    CacatSebagianRate,
    Claim,
    ClaimBenefitLine,
    ClaimDocument,
    ClaimPayment,
    ClaimTransition,
)


class ReadOnlyInline(admin.TabularInline):
    """History rows are written by the services only; the admin shows them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    model = ClaimTransition
    fields = ("at", "from_status", "to_status", "by", "note")
    readonly_fields = fields


class BenefitLineInline(ReadOnlyInline):
    model = ClaimBenefitLine
    fields = ("position", "label", "rule_text", "amount")
    readonly_fields = fields


class HeirInline(ReadOnlyInline):
    model = AhliWaris
    fields = ("nama", "relationship", "tanggal_lahir", "school_level")
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    """Claims change only through the workflow services (status guard, timeline, audit): the admin reads them."""

    list_display = ("participant", "type", "jkk_kind", "status", "incident_date", "due_on", "branch")
    list_filter = ("type", "status", "branch")
    raw_id_fields = ("participant", "parent_claim")
    list_select_related = ("participant", "branch")
    show_full_result_count = False
    inlines = [HeirInline, BenefitLineInline, TransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BenefitRule)
class BenefitRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "value", "unit", "valid_from", "valid_to", "regulation")
    list_filter = ("code",)
    search_fields = ("code", "regulation")


@admin.register(CacatSebagianRate)
class CacatSebagianRateAdmin(admin.ModelAdmin):
    list_display = ("body_part", "percent", "valid_from", "valid_to", "regulation", "sort_order")
    list_editable = ("percent", "sort_order")
    search_fields = ("body_part",)


@admin.register(ClaimPayment)
class ClaimPaymentAdmin(admin.ModelAdmin):
    list_display = ("claim", "amount", "paid_on", "reference", "recipient_name", "late_days")
    raw_id_fields = ("claim", "recipient")
    exclude = ("bank_account",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClaimDocument)
class ClaimDocumentAdmin(admin.ModelAdmin):
    list_display = ("claim", "kind", "original_name", "uploaded_by", "uploaded_at")
    raw_id_fields = ("claim",)
    exclude = ("file",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
