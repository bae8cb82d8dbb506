from django.db.models import Count
from django.http import Http404

from claims.models import Claim


def claim_list_for_user(*, user, status: str = "", claim_type: str = "", participant=None):
    claims = Claim.objects.for_user(user).select_related("participant", "participant__desa", "branch")
    if status:
        claims = claims.filter(status=status)
    if claim_type:
        claims = claims.filter(type=claim_type)
    if participant is not None:
        claims = claims.filter(participant=participant)
    return claims.order_by("-reported_at", "-pk")


def claim_get_for_user(*, user, pk: int) -> Claim:
    claim = claim_list_for_user(user=user).filter(pk=pk).first()
    if claim is None:
        raise Http404
    return claim


def claim_status_counts_for_user(*, user) -> list[dict]:
    """Claims per status in the user's scope, every status listed (zero included) in workflow order."""
    counts = dict(Claim.objects.for_user(user).values_list("status").annotate(n=Count("pk")).order_by())
    return [{"status": s, "label": s.label, "count": counts.get(s.value, 0)} for s in Claim.Status]
