from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programs import billing, services
from programs.forms import (
    BillGenerateForm,
    BudgetForm,
    PaymentForm,
    PlannerForm,
    ProgramForm,
    RegionPlannerForm,
    WhatIfForm,
)
from programs.models import Region
from programs.planning import current_pagu, plan_budget, plan_child_regions, program_burn_down
from programs.rates import IuranRuleError
from programs.selectors import (
    bill_get_for_program,
    bill_lines_for_user,
    payment_get_for_program,
    program_arrears_list_for_user,
    program_arrears_summary,
    program_bills,
    program_credits,
    program_enrolled_jiwa,
    program_get_for_user,
    program_list_for_user,
    program_payments_for_user,
    program_realisation,
    region_breadcrumb_for_user,
    region_children_for_user,
    region_get_for_user,
    region_roots_for_user,
)
from rentan.access import region_code_in_scope
from rentan.charts import Bar, bar_chart
from rentan.formatting import format_month, format_rupiah
from rentan.pagination import paginate


def _require_manager(user):
    if not user.may_manage_programs:
        raise PermissionDenied


@login_required
def region_detail_root(request):
    roots = list(region_roots_for_user(user=request.user))
    if len(roots) == 1:
        return redirect("programs:region_detail", code=roots[0].code)
    return render(request, "programs/region_roots.html", {"regions": roots})


@login_required
def region_detail(request, code):
    region = region_get_for_user(user=request.user, code=code)
    context = {
        "region": region,
        "breadcrumb": region_breadcrumb_for_user(user=request.user, region=region),
        "children": region_children_for_user(user=request.user, region=region),
        "programs": program_list_for_user(user=request.user, region=region),
    }
    return render(request, "programs/region_detail.html", context)


@login_required
def region_budget_plan(request, code):
    region = region_get_for_user(user=request.user, code=code)
    if region.level > Region.Level.KABKOTA:
        raise PermissionDenied
    next_year = timezone.localdate().year + 1
    form = RegionPlannerForm(request.GET or None, initial={"year": next_year})
    rows = None
    if form.is_valid():
        rows = plan_child_regions(
            region=region,
            year=form.cleaned_data["year"],
            target_percent=form.cleaned_data["target_percent"],
            funding_source=form.cleaned_data["funding_source"],
        )
    context = {"region": region, "form": form, "rows": rows}
    if rows is not None:
        context["total_jiwa"] = sum(r.plan.jiwa for r in rows if r.plan)
        context["total_amount"] = sum(r.plan.total for r in rows if r.plan)
    return render(request, "programs/region_budget_plan.html", context)


@login_required
def program_list(request):
    search = request.GET.get("q", "")
    programs = program_list_for_user(user=request.user, search=search)
    return render(request, "programs/program_list.html", {"page": paginate(request, programs), "search": search})


@login_required
def program_detail(request, code):
    program = program_get_for_user(user=request.user, code=code)
    this_year = timezone.localdate().year
    form = WhatIfForm(request.GET or None, initial={"year": this_year})
    year, extra_jiwa, extra_from = this_year, 0, None
    if form.is_valid():
        year = form.cleaned_data["year"]
        extra_jiwa = form.cleaned_data["extra_jiwa"] or 0
        extra_from = form.cleaned_data["extra_from"]
    burn_down = program_burn_down(program=program, year=year, extra_jiwa=extra_jiwa, extra_from=extra_from)
    context = {
        "program": program,
        "budgets": program.budgets.order_by("fiscal_year", "decided_on", "pk"),
        "burn_down": burn_down,
        "form": form,
        "can_edit": request.user.may_manage_programs and region_code_in_scope(request.user, program.owner_region_id),
    }
    if request.htmx:
        return render(request, "programs/_burn_down.html", context)
    month = billing.month_start(timezone.localdate())
    context.update(
        _money_context(program, year),
        month=month,
        enrolled_jiwa=program_enrolled_jiwa(program=program, month=month),
        arrears=program_arrears_summary(program=program, month=month),
        bills=paginate(request, program_bills(program=program), per_page=12),
        payments=program_payments_for_user(user=request.user, program=program)[:20],
        credits=program_credits(program=program),
        generate_form=BillGenerateForm(initial={"month": month}),
    )
    return render(request, "programs/program_detail.html", context)


def _money_context(program, year: int) -> dict:
    """Realisasi of ``year`` against the pagu in force, as figures and as one bar (100% = the pagu)."""
    pagu = current_pagu(program, year)
    realised = program_realisation(type(program).objects.filter(pk=program.pk), year)[program.pk]
    percent = (realised * 100 / pagu) if pagu else None
    bar = Bar(
        label=_("Realisasi %(year)s") % {"year": year},
        value=percent,
        target=Decimal(100) if pagu else None,
        note=_("%(paid)s dari pagu %(pagu)s") % {"paid": format_rupiah(realised), "pagu": format_rupiah(pagu)}
        if pagu
        else _("%(paid)s, pagu belum dicatat") % {"paid": format_rupiah(realised)},
    )
    return {"pagu": pagu, "realised": realised, "realisation_chart": bar_chart([bar], title=_("Realisasi vs pagu"))}


@login_required
@require_POST
def bill_generate(request, code):
    _require_manager(request.user)
    program = program_get_for_user(user=request.user, code=code, writable=True)
    form = BillGenerateForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            result = billing.bill_generate_request(user=request.user, program=program, month=month)
        except IuranRuleError:
            messages.error(request, _("Tarif iuran bulan %(month)s belum lengkap di tabel tarif.") % _month(month))
        except billing.BillingUnavailable as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _bill_message(result) % _month(month))
    else:
        messages.error(request, _("Bulan iuran tidak valid."))
    return redirect("programs:program_detail", code=program.code)


def _month(month) -> dict:
    return {"month": format_month(month)}


def _bill_message(result) -> str:
    if result is None:
        return _("Tagihan %(month)s sedang dibuat; muat ulang halaman ini sebentar lagi.")
    if not result.created:
        return _("Tagihan %(month)s sudah lengkap; tidak ada kepesertaan baru yang perlu ditagih.")
    if result.bill.kind == result.bill.Kind.CORRECTION:
        return _("Tagihan koreksi %(month)s dibuat untuk kepesertaan yang terlambat.")
    return _("Tagihan %(month)s dibuat.")


@login_required
def bill_detail(request, code, pk):
    program = program_get_for_user(user=request.user, code=code)
    bill = bill_get_for_program(program=program, pk=pk)
    context = {
        "program": program,
        "bill": bill,
        "prices": bill.prices.select_related("discount").order_by("funding_source", "is_transport"),
        "lines": paginate(request, bill_lines_for_user(user=request.user, bill=bill)),
        "payments": program_payments_for_user(user=request.user, program=program, bill=bill).order_by("paid_on", "pk"),
        "corrections": bill.corrections.order_by("pk"),
    }
    return render(request, "programs/bill_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def payment_create(request, code):
    _require_manager(request.user)
    program = program_get_for_user(user=request.user, code=code, writable=True)
    form = PaymentForm(request.POST or None, program=program, initial={"paid_on": timezone.localdate()})
    if form.is_valid() and _save_payment(
        form, lambda data: billing.payment_create(user=request.user, program=program, data=data)
    ):
        messages.success(request, _("Pembayaran dicatat."))
        return redirect("programs:program_detail", code=program.code)
    return render(request, "programs/payment_form.html", {"form": form, "program": program})


@login_required
@require_http_methods(["GET", "POST"])
def payment_edit(request, code, pk):
    _require_manager(request.user)
    program = program_get_for_user(user=request.user, code=code, writable=True)
    payment = payment_get_for_program(program=program, pk=pk)
    form = PaymentForm(request.POST or None, instance=payment, program=program)
    if form.is_valid() and _save_payment(
        form, lambda data: billing.payment_update(user=request.user, program=program, payment=payment, data=data)
    ):
        messages.success(request, _("Perubahan pembayaran disimpan."))
        return redirect("programs:program_detail", code=program.code)
    return render(request, "programs/payment_form.html", {"form": form, "program": program, "payment": payment})


def _save_payment(form, save) -> bool:
    """Call the service; its validation errors go back onto the form (Indonesian messages)."""
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
@require_POST
def payment_delete(request, code, pk):
    _require_manager(request.user)
    program = program_get_for_user(user=request.user, code=code, writable=True)
    payment = payment_get_for_program(program=program, pk=pk)
    billing.payment_delete(user=request.user, program=program, payment=payment)
    messages.success(request, _("Pembayaran dihapus."))
    return redirect("programs:program_detail", code=program.code)


@login_required
def arrears_list(request, code):
    program = program_get_for_user(user=request.user, code=code)
    enrolments = program_arrears_list_for_user(user=request.user, program=program)
    context = {
        "program": program,
        "page": paginate(request, enrolments),
        "threshold": billing.arrears_threshold(),
        "month": billing.month_start(timezone.localdate()),
    }
    return render(request, "programs/arrears_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request):
    _require_manager(request.user)
    form = ProgramForm(request.POST or None, user=request.user)
    if form.is_valid():
        program = services.program_create(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Program %(name)s dibuat.") % {"name": program.name})
        return redirect("programs:program_detail", code=program.code)
    return render(request, "programs/program_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request, code):
    _require_manager(request.user)
    program = program_get_for_user(user=request.user, code=code, writable=True)
    form = ProgramForm(request.POST or None, instance=program, user=request.user)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        services.program_update(user=request.user, program=program, data=data)
        messages.success(request, _("Perubahan program disimpan."))
        return redirect("programs:program_detail", code=program.code)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@login_required
@require_http_methods(["GET", "POST"])
def budget_create(request, code):
    _require_manager(request.user)
    program = program_get_for_user(user=request.user, code=code, writable=True)
    form = BudgetForm(request.POST or None, initial={"fiscal_year": timezone.localdate().year})
    if form.is_valid():
        services.budget_add(user=request.user, program=program, data=form.cleaned_data)
        messages.success(request, _("Pagu dicatat."))
        return redirect("programs:program_detail", code=program.code)
    return render(request, "programs/budget_form.html", {"form": form, "program": program})


@login_required
def budget_planner(request):
    form = PlannerForm(request.GET or None, initial={"year": timezone.localdate().year + 1})
    plan = None
    if form.is_valid():
        plan = plan_budget(**form.cleaned_data)
    return render(request, "programs/budget_planner.html", {"form": form, "plan": plan})
