"""Reads of claims, always through the user's region scope: a foreign claim answers exactly like a missing one."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone

from claims.benefits import Breakdown, Line, calculate_benefit
from claims.documents import ChecklistItem, checklist
from claims.eligibility import Eligibility, check_eligibility
from claims.heirs import HeirProposal, proposal_for_claim
from claims.models import AhliWaris, Claim, ClaimBenefitLine, ClaimDocument, ClaimPayment
from claims.rules import MissingRule
from claims.sla import SlaState, late_days, sla_state
from claims.workflow import Transition, actions_for, may_edit_file, may_see_bank_account
from participants.models import Participant
from programs.models import Branch, Region
from rentan.access import region_code_in_scope

S = Claim.Status
AWAITING_PAYMENT = (S.BERKAS_LENGKAP, S.DISETUJUI)


def _overdue_q(today: datetime.date) -> Q:
    return Q(status__in=AWAITING_PAYMENT, due_on__lt=today)


def claim_list_for_user(
    *,
    user,
    status: str = "",
    claim_type: str = "",
    participant=None,
    region_code: str = "",
    branch_id: int | None = None,
    overdue: bool = False,
    today: datetime.date | None = None,
):
    """Claims in the user's scope, newest report first, with what a list row shows joined in."""
    claims = Claim.objects.for_user(user).select_related(
        "participant", "participant__desa", "participant__desa__parent__parent", "branch"
    )
    if status:
        claims = claims.filter(status=status)
    if claim_type:
        claims = claims.filter(type=claim_type)
    if participant is not None:
        claims = claims.filter(participant=participant)
    if region_code:
        claims = claims.filter(
            Q(participant__desa__code=region_code) | Q(participant__desa__code__startswith=f"{region_code}.")
        )
    if branch_id:
        claims = claims.filter(branch_id=branch_id)
    if overdue:
        claims = claims.filter(_overdue_q(today or timezone.localdate()))
    return claims.order_by("-reported_at", "-pk")


def with_late_days(claims, *, today: datetime.date):
    """Set ``late_days`` on each claim of a page (no query): days past the due date, to payment or today."""
    for claim in claims:
        claim.late_days = (
            late_days(claim.due_on, claim.paid_on, today) if claim.due_on and claim.status != S.DITOLAK else 0
        )
    return claims


def claim_get_for_user(*, user, pk: int) -> Claim:
    claim = (
        claim_list_for_user(user=user).select_related("parent_claim", "cacat_rate", "reported_by").filter(pk=pk).first()
    )
    if claim is None:
        raise Http404
    return claim


def claim_status_counts_for_user(*, user) -> list[dict]:
    """Claims per status in the user's scope, every status listed (zero included) in workflow order."""
    counts = dict(Claim.objects.for_user(user).values_list("status").annotate(n=Count("pk")).order_by())
    return [{"status": s, "label": s.label, "count": counts.get(s.value, 0)} for s in Claim.Status]


def claim_filter_options_for_user(*, user) -> dict:
    """The kab/kota and branches a user may filter the claim list by (only those inside their scope)."""
    kabkota = Region.objects.for_user(user).filter(level=Region.Level.KABKOTA).order_by("code")
    codes = user.scope_region_codes()
    if codes is None:
        branches = Branch.objects.all()
    else:
        condition = Q(pk__in=[])
        for code in codes:
            condition |= Q(regions__code=code[:5]) if len(code) >= 5 else Q(regions__code__startswith=f"{code}.")
        branches = Branch.objects.filter(condition).distinct()
    return {"regions": list(kabkota.values_list("code", "name")), "branches": list(branches.order_by("name"))}


def claim_participant_search_for_user(*, user, query: str, limit: int = 20):
    """Participants in the user's scope found by NIK, KPJ (digits) or name, for the intake form."""
    query = "".join(query.split()) if query.strip().isdigit() else query.strip()
    people = Participant.objects.for_user(user).select_related("desa", "desa__parent__parent")
    if not query:
        return people.none()
    if query.isdigit():
        people = people.filter(Q(nik__startswith=query) | Q(kpj__startswith=query))
    else:
        people = people.filter(nama__icontains=query)
    return people.order_by("nama", "nik")[:limit]


def participant_get_for_claim(*, user, pk) -> Participant:
    participant = Participant.objects.for_user(user).select_related("desa").filter(pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def decided_parent_claims(*, participant: Participant):
    """The decided death and cacat total tetap claims a yearly beasiswa claim can continue."""
    return (
        Claim.objects.filter(participant=participant, status__in=(S.DISETUJUI, S.DIBAYAR))
        .filter(
            Q(type=Claim.Type.JKM)
            | Q(type=Claim.Type.JKK, jkk_kind__in=(Claim.JkkKind.MENINGGAL, Claim.JkkKind.CACAT_TOTAL_TETAP))
        )
        .order_by("-incident_date")
    )


def claim_document_get_for_user(*, user, claim_pk: int, pk: int) -> ClaimDocument:
    claim = claim_get_for_user(user=user, pk=claim_pk)
    document = ClaimDocument.objects.filter(claim=claim, pk=pk).first()
    if document is None:
        raise Http404
    return document


def heir_get_for_user(*, user, claim_pk: int, pk: int) -> AhliWaris:
    claim = claim_get_for_user(user=user, pk=claim_pk)
    heir = AhliWaris.objects.filter(claim=claim, pk=pk).select_related("claim__participant").first()
    if heir is None:
        raise Http404
    return heir


@dataclass
class HeirRow:
    heir: AhliWaris
    account: str
    proposed: bool


@dataclass
class ClaimOverview:
    """Everything the claim page shows, computed once."""

    claim: Claim
    eligibility: Eligibility | None
    breakdown: Breakdown | None
    frozen: bool
    heirs: list[HeirRow]
    proposal: HeirProposal
    checklist: list[ChecklistItem]
    timeline: list
    payment: ClaimPayment | None
    sla: SlaState | None
    actions: list[Transition]
    may_edit: bool
    shows_accounts: bool
    problems: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.checklist if item.required and not item.present]


def _frozen_breakdown(claim: Claim) -> Breakdown:
    lines = [
        Line(line.code, line.label, line.rule_text, line.amount, line.heir, line.school_level)
        for line in ClaimBenefitLine.objects.filter(claim=claim).select_related("heir").order_by("position")
    ]
    return Breakdown(lines=lines)


def claim_overview_for_user(*, user, claim: Claim, today: datetime.date) -> ClaimOverview:
    """Eligibility, breakdown (frozen once approved), heirs with masked accounts, documents, timeline, actions."""
    heirs = list(claim.heirs.all())
    problems = []
    eligibility = breakdown = None
    frozen = claim.status in (S.DISETUJUI, S.DIBAYAR)
    try:
        eligibility = check_eligibility(claim, heirs=heirs)
        breakdown = (
            _frozen_breakdown(claim) if frozen else calculate_benefit(claim, eligibility=eligibility, heirs=heirs)
        )
    except MissingRule as missing:
        problems.append(str(missing))
    shows_accounts = may_see_bank_account(user, claim)
    granted = {grant.heir.pk for grant in eligibility.children if grant.granted} if eligibility else set()
    proposal = proposal_for_claim(claim, heirs, granted)
    rows = [
        HeirRow(heir, heir.bank_account if shows_accounts else heir.masked_account, heir.pk in proposal.recipient_ids)
        for heir in heirs
    ]
    documents = list(claim.documents.select_related("uploaded_by"))
    total = breakdown.total if breakdown else None
    try:
        items = checklist(claim, heirs=heirs, documents=documents, total=total)
    except MissingRule as missing:
        problems.append(str(missing))
        items = []
    try:
        sla = sla_state(claim, today=today)
    except MissingRule as missing:
        problems.append(str(missing))
        sla = None
    return ClaimOverview(
        claim=claim,
        eligibility=eligibility,
        breakdown=breakdown,
        frozen=frozen,
        heirs=rows,
        proposal=proposal,
        checklist=items,
        timeline=list(claim.transitions.select_related("by").order_by("at", "pk")),
        payment=ClaimPayment.objects.filter(claim=claim).select_related("recipient").first(),
        sla=sla,
        actions=actions_for(user, claim),
        may_edit=may_edit_file(user, claim),
        shows_accounts=shows_accounts,
        problems=problems,
    )


def _month_end(month: datetime.date) -> datetime.date:
    following = datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _in_region(prefix: str, region_code: str) -> Q:
    if not region_code:
        return Q()
    return Q(**{prefix: region_code}) | Q(**{f"{prefix}__startswith": f"{region_code}."})


def claim_summary(*, region_code: str, month: datetime.date, today: datetime.date | None = None) -> dict:
    """Claims of one region (and everything under it) in one month, as plain data for pages, dashboards, reports.

    ``reported``: claims reported in the month per type; ``paid``: payments made in the month (count, Rupiah, per
    type); ``sla``: claims whose payment was due in the month: paid on time, paid late or still unpaid after the
    due date, and those not yet due; ``sla_percent`` = on time ÷ (on time + missed) × 100. Unscoped: callers check
    that the region is theirs (``rentan.access.region_code_in_scope``).
    """
    month = month.replace(day=1)
    end = _month_end(month)
    today = today or timezone.localdate()
    claims = Claim.objects.filter(_in_region("participant__desa__code", region_code))
    reported = dict(
        claims.filter(reported_at__date__range=(month, end)).values_list("type").annotate(n=Count("pk")).order_by()
    )
    paid = {
        row["claim__type"]: row
        for row in ClaimPayment.objects.filter(_in_region("claim__participant__desa__code", region_code))
        .filter(paid_on__range=(month, end))
        .values("claim__type")
        .annotate(n=Count("pk"), amount=Sum("amount"), compensation=Sum("late_compensation"))
        .order_by()
    }
    due = claims.filter(due_on__range=(month, end)).exclude(status=S.DITOLAK)
    sla = due.aggregate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(paid_on__isnull=False, paid_on__lte=F("due_on"))),
        paid_late=Count("pk", filter=Q(paid_on__isnull=False, paid_on__gt=F("due_on"))),
        unpaid_overdue=Count("pk", filter=Q(paid_on__isnull=True, due_on__lt=today)),
        pending=Count("pk", filter=Q(paid_on__isnull=True, due_on__gte=today)),
    )
    missed = sla["paid_late"] + sla["unpaid_overdue"]
    decided = sla["on_time"] + missed
    children = (
        ClaimBenefitLine.objects.filter(
            _in_region("claim__participant__desa__code", region_code),
            code__startswith="BEASISWA",
            claim__payments__paid_on__range=(month, end),
        )
        .values("heir__nik")
        .distinct()
        .count()
    )
    rows = []
    for claim_type in Claim.Type:
        paid_row = paid.get(claim_type.value, {})
        rows.append(
            {
                "type": claim_type.value,
                "label": str(claim_type.label),
                "reported": reported.get(claim_type.value, 0),
                "paid_count": paid_row.get("n", 0),
                "paid_amount": paid_row.get("amount") or Decimal(0),
                "late_compensation": paid_row.get("compensation") or Decimal(0),
            }
        )
    return {
        "region_code": region_code,
        "month": month,
        "rows": rows,
        "reported_total": sum(row["reported"] for row in rows),
        "paid_count": sum(row["paid_count"] for row in rows),
        "paid_amount": sum((row["paid_amount"] for row in rows), Decimal(0)),
        "beasiswa_children": children,
        "sla": {**sla, "missed": missed},
        "sla_percent": (Decimal(sla["on_time"]) * 100 / decided).quantize(Decimal("0.01")) if decided else None,
    }


def claim_summary_regions_for_user(*, user) -> list[Region]:
    """The regions a user may ask a summary for: their own scope roots and the kab/kota inside them."""
    codes = user.scope_region_codes()
    roots = (
        Region.objects.filter(level=Region.Level.PROVINSI) if codes is None else Region.objects.filter(code__in=codes)
    )
    kabkota = Region.objects.for_user(user).filter(level=Region.Level.KABKOTA)
    return list((roots | kabkota).distinct().order_by("code"))


def region_in_scope(*, user, code: str) -> bool:
    return bool(code) and region_code_in_scope(user, code)
