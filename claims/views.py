from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims import services
from claims.forms import (
    ClaimForm,
    CompleteForm,
    DocumentForm,
    HeirForm,
    IncompleteForm,
    NoteForm,
    PayForm,
    RejectForm,
    SummaryForm,
)
from claims.models import Claim
from claims.rules import MissingRule
from claims.selectors import (
    claim_document_get_for_user,
    claim_filter_options_for_user,
    claim_get_for_user,
    claim_list_for_user,
    claim_overview_for_user,
    claim_participant_search_for_user,
    claim_summary,
    claim_summary_regions_for_user,
    heir_get_for_user,
    participant_get_for_claim,
    with_late_days,
)
from claims.workflow import Action, may, may_edit_file
from participants.forms import RevealNikForm
from rentan.audit import audit_read, audit_record
from rentan.pagination import paginate
from rentan.search import search_redirect, search_text

# One form and one service per workflow step; the step's URL name is the action (claims:approve, claims:pay, ...).
ACTION_FORMS = {
    Action.VERIFY: NoteForm,
    Action.MARK_INCOMPLETE: IncompleteForm,
    Action.MARK_COMPLETE: CompleteForm,
    Action.APPROVE: NoteForm,
    Action.REJECT: RejectForm,
    Action.PAY: PayForm,
}


def _run_action(user, claim, action, data):
    if action == Action.VERIFY:
        return services.claim_verify(user=user, claim=claim, note=data["note"])
    if action == Action.MARK_INCOMPLETE:
        return services.claim_mark_incomplete(
            user=user, claim=claim, documents=data["documents"] or None, note=data["note"]
        )
    if action == Action.MARK_COMPLETE:
        return services.claim_mark_complete(user=user, claim=claim, on=data["on"], note=data["note"])
    if action == Action.APPROVE:
        return services.claim_approve(user=user, claim=claim, note=data["note"])
    if action == Action.REJECT:
        return services.claim_reject(user=user, claim=claim, reason=data["reason"])
    return services.claim_pay(user=user, claim=claim, **data)


def _refusal_messages(request, error) -> None:
    if isinstance(error, ValidationError):
        texts = (
            [text for texts in error.message_dict.values() for text in texts]
            if hasattr(error, "error_dict")
            else error.messages
        )
    else:
        texts = getattr(error, "messages", [str(error)])
    for text in texts:
        messages.error(request, text)


def _list_filters(request, user):
    options = claim_filter_options_for_user(user=user)
    region = request.GET.get("wilayah", "")
    branch = request.GET.get("cabang", "")
    return options, {
        "status": request.GET.get("status", "") if request.GET.get("status") in Claim.Status.values else "",
        "claim_type": request.GET.get("jenis", "") if request.GET.get("jenis") in Claim.Type.values else "",
        "region_code": region if region in {code for code, _name in options["regions"]} else "",
        "branch_id": int(branch) if branch.isdigit() and int(branch) in {b.pk for b in options["branches"]} else None,
        "overdue": request.GET.get("terlambat") == "1",
    }


@login_required
@require_GET
def claim_list(request, overdue=False):
    options, filters = _list_filters(request, request.user)
    filters["overdue"] = filters["overdue"] or overdue
    today = timezone.localdate()
    claims = claim_list_for_user(user=request.user, today=today, **filters)
    page = paginate(request, claims)
    with_late_days(page.object_list, today=today)
    context = {
        "page": page,
        "filters": filters,
        "options": options,
        "statuses": Claim.Status.choices,
        "types": Claim.Type.choices,
        "today": today,
        "overdue_page": overdue,
        "may_submit": may(request.user, Action.SUBMIT),
    }
    return render(request, "claims/claim_list.html", context)


@login_required
@require_GET
def claim_overdue(request):
    return claim_list(request, overdue=True)


@login_required
@require_http_methods(["GET", "POST"])
def claim_create(request):
    if not may(request.user, Action.SUBMIT):
        raise PermissionDenied
    pk = request.POST.get("peserta") or request.GET.get("peserta")
    if not (pk and pk.isdigit()):
        # The search box POSTs (a NIK never goes into a URL): swap its text for a token, then show the results.
        moved = search_redirect(request)
        if moved:
            return moved
        query = search_text(request)
        results = claim_participant_search_for_user(user=request.user, query=query)
        return render(request, "claims/claim_search.html", {"query": query, "results": results})
    participant = participant_get_for_claim(user=request.user, pk=int(pk))
    form = ClaimForm(request.POST or None, participant=participant)
    if form.is_valid():
        try:
            claim = services.claim_submit(user=request.user, participant=participant, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Klaim dicatat dengan status Diajukan."))
            return redirect("claims:detail", pk=claim.pk)
    return render(request, "claims/claim_form.html", {"form": form, "participant": participant})


@login_required
@require_GET
def claim_detail(request, pk):
    claim = claim_get_for_user(user=request.user, pk=pk)
    overview = claim_overview_for_user(user=request.user, claim=claim, today=timezone.localdate())
    actions = [
        {
            "action": t.action,
            "label": Action(t.action).label,
            "url": reverse(f"claims:{t.action}", args=[claim.pk]),
            "form": ACTION_FORMS[t.action](**_form_kwargs(t.action, claim)),
        }
        for t in overview.actions
    ]
    context = {
        "claim": claim,
        "o": overview,
        "actions": actions,
        "heir_form": HeirForm() if overview.may_edit else None,
        "document_form": DocumentForm() if overview.may_edit else None,
        # The officer who checks the KTP may reveal the full NIK here too (participants/_nik.html, audited).
        "may_reveal": request.user.may_reveal_nik,
        "reveal_form": RevealNikForm(),
    }
    audit_read(request, claim)
    return render(request, "claims/claim_detail.html", context)


def _form_kwargs(action, claim, data=None) -> dict:
    kwargs = {"data": data} if data is not None else {}
    if action == Action.PAY:
        kwargs["claim"] = claim
    if action == Action.MARK_INCOMPLETE and data is None:
        kwargs["initial"] = {"documents": claim.missing_documents}
    return kwargs


@login_required
@require_POST
def claim_action(request, pk, action):
    if not may(request.user, action):
        raise PermissionDenied
    claim = claim_get_for_user(user=request.user, pk=pk)
    form = ACTION_FORMS[action](**_form_kwargs(action, claim, request.POST))
    if not form.is_valid():
        _refusal_messages(request, ValidationError(form.errors))
        return redirect("claims:detail", pk=claim.pk)
    try:
        _run_action(request.user, claim, action, form.cleaned_data)
    except (services.ClaimActionRefused, ValidationError, MissingRule) as error:
        _refusal_messages(request, error)
    else:
        messages.success(request, _("Status klaim sekarang: %(status)s.") % {"status": claim.get_status_display()})
    return redirect("claims:detail", pk=claim.pk)


@login_required
@require_POST
def heir_add(request, pk):
    claim = claim_get_for_user(user=request.user, pk=pk)
    if not may_edit_file(request.user, claim):
        raise PermissionDenied
    form = HeirForm(request.POST)
    if form.is_valid():
        try:
            services.heir_add(user=request.user, claim=claim, data=form.cleaned_data)
        except ValidationError as error:
            _refusal_messages(request, error)
        else:
            messages.success(request, _("Ahli waris dicatat."))
    else:
        _refusal_messages(request, ValidationError(form.errors))
    return redirect("claims:detail", pk=claim.pk)


@login_required
@require_POST
def heir_remove(request, pk, heir_pk):
    heir = heir_get_for_user(user=request.user, claim_pk=pk, pk=heir_pk)
    if not may_edit_file(request.user, heir.claim):
        raise PermissionDenied
    services.heir_remove(user=request.user, heir=heir)
    messages.success(request, _("Ahli waris dihapus."))
    return redirect("claims:detail", pk=pk)


@login_required
@require_POST
def document_upload(request, pk):
    claim = claim_get_for_user(user=request.user, pk=pk)
    if not may_edit_file(request.user, claim):
        raise PermissionDenied
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                user=request.user, claim=claim, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _refusal_messages(request, error)
        else:
            messages.success(request, _("Dokumen diunggah."))
    else:
        _refusal_messages(request, ValidationError(form.errors))
    return redirect("claims:detail", pk=claim.pk)


@login_required
@require_GET
def document_download(request, pk, document_pk):
    document = claim_document_get_for_user(user=request.user, claim_pk=pk, pk=document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(
        user=request.user, action="download", instance=document, region_code=document.claim.participant.desa_id
    )
    return FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=document.content_type)


@login_required
@require_GET
def claim_summary_page(request):
    regions = claim_summary_regions_for_user(user=request.user)
    if not regions:
        raise Http404
    today = timezone.localdate()
    form = SummaryForm(
        request.GET or None, regions=regions, initial={"region": regions[0].code, "month": today.replace(day=1)}
    )
    region_code, month = regions[0].code, today.replace(day=1)
    if form.is_valid():
        region_code, month = form.cleaned_data["region"], form.cleaned_data["month"]
    summary = claim_summary(region_code=region_code, month=month, today=today)
    region = next(r for r in regions if r.code == region_code)
    return render(request, "claims/claim_summary.html", {"form": form, "summary": summary, "region": region})
