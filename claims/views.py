from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claims.models import Claim
from claims.selectors import claim_get_for_user, claim_list_for_user
from rentan.pagination import paginate


@login_required
def claim_list(request):
    status = request.GET.get("status", "")
    claim_type = request.GET.get("jenis", "")
    claims = claim_list_for_user(user=request.user, status=status, claim_type=claim_type)
    context = {
        "page": paginate(request, claims),
        "status": status,
        "claim_type": claim_type,
        "statuses": Claim.Status.choices,
        "types": Claim.Type.choices,
    }
    return render(request, "claims/claim_list.html", context)


@login_required
def claim_detail(request, pk):
    return render(request, "claims/claim_detail.html", {"claim": claim_get_for_user(user=request.user, pk=pk)})
