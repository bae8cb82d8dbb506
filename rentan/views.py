from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token

from claims.selectors import claim_status_counts_for_user
from participants.selectors import participant_summary_for_user
from programs.selectors import program_list_for_user


@login_required
def home(request):
    claim_counts = claim_status_counts_for_user(user=request.user)
    context = {
        "participants": participant_summary_for_user(user=request.user),
        "programs": program_list_for_user(user=request.user)[:8],
        "claim_counts": claim_counts,
        "claim_total": sum(row["count"] for row in claim_counts),
        "today": timezone.localdate(),
    }
    return render(request, "home.html", context)


# Error pages: plain templates, no stack trace whatever DEBUG says (the 500 page gets no context at all, so a
# broken context processor cannot break it too).
@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    # Our own refusals carry a sentence in Bahasa Indonesia saying what to do (e.g. whom to ask for a right).
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return render(request, "errors/403.html", {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("errors/500.html").render())
