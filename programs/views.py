from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from programs.selectors import (
    program_get_for_user,
    program_list_for_user,
    region_breadcrumb_for_user,
    region_children_for_user,
    region_get_for_user,
    region_roots_for_user,
)


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
def program_detail(request, code):
    program = program_get_for_user(user=request.user, code=code)
    return render(request, "programs/program_detail.html", {"program": program, "budgets": program.budgets.all()})
