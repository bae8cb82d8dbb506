from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from claims.selectors import claim_list_for_user
from participants.models import Participant
from participants.selectors import (
    enrolment_list_for_participant,
    participant_get_for_user,
    participant_list_for_user,
)
from rentan.pagination import paginate


@login_required
def participant_list(request):
    search = request.GET.get("q", "")
    status = request.GET.get("status", "")
    participants = participant_list_for_user(user=request.user, search=search, status=status)
    context = {
        "page": paginate(request, participants),
        "search": search,
        "status": status,
        "statuses": Participant.Status.choices,
    }
    template = "participants/_participant_table.html" if request.htmx else "participants/participant_list.html"
    return render(request, template, context)


@login_required
def participant_detail(request, pk):
    participant = participant_get_for_user(user=request.user, pk=pk)
    context = {
        "participant": participant,
        "enrolments": enrolment_list_for_participant(participant=participant),
        "claims": claim_list_for_user(user=request.user, participant=participant),
    }
    return render(request, "participants/participant_detail.html", context)
