from django.db.models import Count, Q
from django.http import Http404

from participants.models import Enrolment, Participant


def participant_list_for_user(*, user, search: str = "", status: str = ""):
    participants = Participant.objects.for_user(user).select_related("desa", "desa__parent", "pekerjaan")
    search = search.strip()
    if search.isdigit():
        participants = participants.filter(nik__startswith=search)
    elif search:
        participants = participants.filter(nama__icontains=search)
    if status:
        participants = participants.filter(status=status)
    return participants.order_by("nama", "nik")


def participant_get_for_user(*, user, pk: int) -> Participant:
    participant = participant_list_for_user(user=user).filter(pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def participant_summary_for_user(*, user) -> dict:
    return Participant.objects.for_user(user).aggregate(
        total=Count("pk"), aktif=Count("pk", filter=Q(status=Participant.Status.AKTIF))
    )


def enrolment_list_for_participant(*, participant: Participant):
    return (
        Enrolment.objects.filter(participant=participant)
        .select_related("program", "program__owner_region")
        .order_by("-start_month")
    )
