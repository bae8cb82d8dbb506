"""Reads of participants, enrolments and imports: the only way views reach this data, scoped to the user."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from participants.models import OPEN_END, Enrolment, ImportBatch, Participant
from programs.models import Occupation, Program, Region
from rentan.access import region_code_in_scope
from rentan.formatting import mask_nik


def participant_list_for_user(
    *,
    user,
    search: str = "",
    status: str = "",
    region_code: str = "",
    program: Program | None = None,
    pekerjaan: Occupation | None = None,
):
    """Participants in the user's region, filtered; a region outside the scope filters to nothing."""
    participants = Participant.objects.for_user(user).select_related("desa", "desa__parent", "pekerjaan")
    search = search.strip()
    if search.isdigit():
        participants = participants.filter(nik__startswith=search)
    elif search:
        participants = participants.filter(nama__icontains=search)
    if status:
        participants = participants.filter(status=status)
    if region_code:
        if not region_code_in_scope(user, region_code):
            return participants.none()
        participants = participants.filter(Q(desa_id=region_code) | Q(desa__code__startswith=f"{region_code}."))
    if program is not None:
        participants = participants.filter(
            Exists(Enrolment.objects.filter(participant=OuterRef("pk"), program=program))
        )
    if pekerjaan is not None:
        participants = participants.filter(pekerjaan=pekerjaan)
    return participants.order_by("nama", "nik")


def participant_get_for_user(*, user, pk: int) -> Participant:
    """A participant the user may see; one outside the scope answers exactly like a missing one."""
    participant = participant_list_for_user(user=user).filter(pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def participant_summary_for_user(*, user) -> dict:
    return Participant.objects.for_user(user).aggregate(
        total=Count("pk"), aktif=Count("pk", filter=Q(status=Participant.Status.AKTIF))
    )


def enrolment_list_for_participant(*, participant: Participant, user) -> list[Enrolment]:
    """The participant's enrolments; ``program_visible`` tells whether the user may see the paying program.

    A resident of the user's region can be paid by a program of another region (a province program, or a
    neighbour's): the page then says "program lain di luar wilayah Anda", as the enrolment refusal does.
    """
    enrolments = list(
        Enrolment.objects.filter(participant=participant)
        .select_related("program", "program__owner_region", "participant__pekerjaan")
        .order_by("-start_month")
    )
    visible = set(
        Program.objects.for_user(user).filter(pk__in={e.program_id for e in enrolments}).values_list("pk", flat=True)
    )
    for enrolment in enrolments:
        enrolment.program_visible = enrolment.program_id in visible
    return enrolments


def iuran_months_for_participant(*, enrolments, today, limit: int = 12) -> list[dict]:
    """The participant's latest iuran months (up to this month), each with its payer and its monthly iuran.

    Quotes come from the dated rate tables (programs.rates); a month the tables cannot price shows no amount.
    """
    from programs.rates import IuranRuleError, RateBook, enrolment_iuran_for_month

    enrolments = list(enrolments)
    if not enrolments:
        return []
    this_month = today.replace(day=1)
    months = []
    for enrolment in enrolments:
        month = min(enrolment.end_month or this_month, this_month)
        while month >= enrolment.start_month and len(months) < limit * len(enrolments):
            months.append((month, enrolment))
            month = (month - datetime.timedelta(days=1)).replace(day=1)
    months.sort(key=lambda pair: pair[0], reverse=True)
    rates = RateBook.load()
    rows = []
    for month, enrolment in months[:limit]:
        try:
            total = enrolment_iuran_for_month(enrolment=enrolment, month=month, rates=rates).total
        except IuranRuleError:
            total = None
        rows.append({"month": month, "enrolment": enrolment, "iuran": total})
    return rows


def region_filter_choices_for_user(*, user) -> list[tuple[str, str]]:
    """Regions to filter the participant list by: two levels below the user's own, indented (admins: kab/kota)."""
    codes = user.scope_region_codes()
    if codes is None:
        regions = Region.objects.filter(level__lte=Region.Level.KABKOTA)
    else:
        deepest = max((code.count(".") + 1 for code in codes), default=Region.Level.DESA) + 2
        regions = Region.objects.for_user(user).filter(level__lte=min(deepest, Region.Level.DESA))
    return [
        (code, f"{'— ' * (level - 1)}{name} ({code})")
        for code, name, level in regions.order_by("code").values_list("code", "name", "level")
    ]


def program_list_for_participants(*, user):
    """Programs a user may enrol people in or filter by (their region's and those of the regions above)."""
    return Program.objects.for_user(user).select_related("owner_region").order_by("owner_region_id", "name")


def desa_choices_for_user(*, user, limit: int = 5000) -> list[tuple[str, str]] | None:
    """Desa/kelurahan of the user's region for a select; None when there are too many (type the code instead)."""
    desa = Region.objects.for_user(user).filter(level=Region.Level.DESA)
    rows = list(desa.order_by("code").values_list("code", "name", "parent__name")[: limit + 1])
    if len(rows) > limit:
        return None
    return [(code, f"{name} — Kec. {kecamatan} ({code})") for code, name, kecamatan in rows]


def import_batch_list_for_user(*, user, kind: str | None = None):
    batches = ImportBatch.objects.for_user(user).select_related("program", "created_by")
    if kind:
        batches = batches.filter(kind=kind)
    return batches.order_by("-created_at", "-pk")


def import_batch_get_for_user(*, user, pk: int) -> ImportBatch:
    """An import the user may see (made in their region, or by them); others answer like missing ones."""
    batch = import_batch_list_for_user(user=user).filter(pk=pk).first()
    if batch is None:
        raise Http404
    return batch


def import_issue_list(*, batch: ImportBatch, severity: str | None = None):
    issues = batch.issues.all()
    if severity:
        issues = issues.filter(severity=severity)
    return issues.order_by("line", "pk")


def bpjs_registration_participants(*, user, program: Program):
    """Participants of a program in the user's region whose enrolment has not ended: the collective list."""
    enrolled = Enrolment.objects.filter(participant=OuterRef("pk"), program=program).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=program.start_month)
    )
    return Participant.objects.for_user(user).filter(Exists(enrolled))


def bpjs_registration_rows_for_user(*, user, program: Program):
    """Rows of the BPJS collective registration (BPU) for a program, in NIK order, streamed from the database."""
    participants = (
        bpjs_registration_participants(user=user, program=program)
        .select_related("desa", "desa__parent", "desa__parent__parent", "pekerjaan")
        .order_by("nik")
    )
    for number, p in enumerate(participants.iterator(chunk_size=2000), start=1):
        kecamatan = p.desa.parent
        yield (
            number,
            p.nik,
            p.nama,
            p.tempat_lahir,
            p.tanggal_lahir,
            p.jenis_kelamin,
            p.alamat,
            p.desa.name,
            kecamatan.name if kecamatan else "",
            kecamatan.parent.name if kecamatan and kecamatan.parent else "",
            p.pekerjaan.name,
            p.no_hp,
            program.get_package_display(),
            program.income_bracket,
            program.funding_source,
            p.kpj,
        )


def participant_export_rows(participants):
    """Rows of the participant list export, streamed from the database; the NIK is masked (``1771••••••••0001``).

    A list with full NIKs leaves the portal only as the BPJS registration export, for roles that may reveal NIKs.
    """
    for p in participants.iterator(chunk_size=2000):
        kecamatan = p.desa.parent
        yield (
            mask_nik(p.nik),
            p.nama,
            p.tempat_lahir,
            p.tanggal_lahir,
            p.jenis_kelamin,
            p.alamat,
            p.desa_id,
            p.desa.name,
            kecamatan.name if kecamatan else "",
            p.pekerjaan.name,
            p.no_hp,
            p.kpj,
            p.bpjs_membership_start,
            p.get_data_source_display(),
            p.get_status_display(),
        )


def double_funding_pairs_for_user(*, user) -> list[tuple[int, int]]:
    """Pairs of enrolments (ids) of one NIK that overlap by a month: one payer too many.

    Set-based, in one self-join. On PostgreSQL the one-payer triggers (migration 0008) keep new pairs out; pairs can
    still come from SQLite installations, from data loaded before the check or with its triggers disabled.
    Administrators only: the pairs cross regions.
    """
    if not user.is_administrator:
        raise PermissionDenied
    table = Enrolment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.id, b.id FROM {table} a JOIN {table} b
                  ON a.participant_id = b.participant_id AND a.id < b.id
                 AND a.start_month <= COALESCE(b.end_month, %s) AND b.start_month <= COALESCE(a.end_month, %s)
                ORDER BY a.participant_id, a.id, b.id""",  # noqa: S608 - the table name is the model's own
            [OPEN_END, OPEN_END],
        )
        return cursor.fetchall()


def enrolments_by_id(ids) -> dict[int, Enrolment]:
    return Enrolment.objects.select_related(
        "participant", "participant__desa", "program", "program__owner_region"
    ).in_bulk(list(ids))
