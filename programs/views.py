from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programs import services
from programs.forms import BudgetForm, PlannerForm, ProgramForm, RegionPlannerForm, WhatIfForm
from programs.models import Region
from programs.planning import plan_budget, plan_child_regions, program_burn_down
from programs.selectors import (
    program_get_for_user,
    program_list_for_user,
    region_breadcrumb_for_user,
    region_children_for_user,
    region_get_for_user,
    region_roots_for_user,
)
from rentan.access import region_code_in_scope
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
    template = "programs/_burn_down.html" if request.htmx else "programs/program_detail.html"
    return render(request, template, context)


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
