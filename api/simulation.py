"""The benefit simulation: what a claim would get, decided by the claim code itself (no rule is repeated here).

For a registered participant the simulation builds an unsaved claim on that participant and runs
``claims.eligibility.check_eligibility`` and ``claims.benefits.calculate_benefit``, which read the participant's
real enrolments. For a hypothetical membership history it writes a stand-in participant and its enrolments inside a
transaction that is always rolled back, so the very same functions read them; nothing of it is ever committed.
"""

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.benefits import calculate_benefit
from claims.eligibility import check_eligibility
from claims.models import AhliWaris, CacatSebagianRate, Claim
from participants.models import Enrolment, Participant
from programs.models import Occupation, Program, Region

INCIDENT_FIELDS = (
    "type", "jkk_kind", "incident_date", "is_work_related", "medical_cost", "homecare_cost", "transport_land",
    "transport_sea", "transport_air", "stmb_months",
)  # fmt: skip


@dataclass
class Simulation:
    eligible: bool
    reasons: list[str]
    checks: list[dict]
    masa_iur_months: int
    income_bracket: Decimal | None
    lines: list[dict]
    total: Decimal
    notes: list[str]


def _claim(participant: Participant, incident: dict) -> Claim:
    claim = Claim(participant=participant, status=Claim.Status.DIAJUKAN, **{
        name: incident[name] for name in INCIDENT_FIELDS if name in incident})  # fmt: skip
    if claim.type != Claim.Type.JKK:
        claim.jkk_kind = ""
    reported = incident.get("reported_on") or timezone.localdate()
    claim.reported_at = timezone.make_aware(datetime.datetime.combine(reported, datetime.time(12)))
    if incident.get("cacat_rate"):
        claim.cacat_rate = CacatSebagianRate.objects.filter(pk=incident["cacat_rate"]).first()
        if claim.cacat_rate is None:
            raise ValidationError({"cacat_rate": _("Baris tabel cacat sebagian ini tidak ada.")})
    # The model's own rules: JKK needs its kind, cacat sebagian its table row, no incident in the future.
    claim.clean()
    return claim


def _run(claim: Claim, heirs: list[dict]) -> Simulation:
    people = [AhliWaris(claim=claim, nik="", **heir) for heir in heirs]
    eligibility = check_eligibility(claim, heirs=people)
    breakdown = calculate_benefit(claim, eligibility=eligibility, heirs=people)
    return Simulation(
        eligible=eligibility.eligible,
        reasons=[str(text) for text in eligibility.reasons],
        checks=[{"passed": c.passed, "blocking": c.blocking, "text": str(c.text)} for c in eligibility.checks],
        masa_iur_months=eligibility.masa_iur,
        income_bracket=eligibility.income_bracket,
        lines=[
            {"code": line.code, "label": str(line.label), "rule_text": str(line.rule_text), "amount": line.amount}
            for line in breakdown.lines
        ],
        total=breakdown.total,
        notes=[str(note) for note in breakdown.notes],
    )


def simulate_for_participant(*, user, nik: str, incident: dict, heirs: list[dict]) -> Simulation:
    """The decision for a participant in the user's scope (one outside it answers like a missing one)."""
    participant = Participant.objects.for_user(user).filter(nik=nik).first()
    if participant is None:
        raise Http404
    return _run(_claim(participant, incident), heirs)


def simulate_for_history(*, user, history: list[dict], incident: dict, heirs: list[dict]) -> Simulation:
    """The decision for someone with the given membership history, paid by programs the user may read."""
    codes = {span["program"] for span in history}
    programs = {p.code: p for p in Program.objects.for_user(user).filter(code__in=codes)}
    unknown = sorted(codes - set(programs))
    if unknown:
        raise ValidationError({"history": [_("Program %(code)s tidak ditemukan.") % {"code": unknown[0]}]})
    desa = Region.objects.filter(level=Region.Level.DESA).order_by("code").values_list("code", flat=True).first()
    occupation = Occupation.objects.order_by("pk").first()
    if desa is None or occupation is None:
        raise ValidationError(_("Data wilayah atau kategori pekerjaan belum dimuat; simulasi tidak dapat dijalankan."))
    with transaction.atomic():
        # A stand-in with a random NIK that starts with 00 (no real province code): rolled back below, whatever
        # happens, so it is never seen by anyone else.
        participant = Participant.objects.create(
            nik=f"00{secrets.randbelow(10**14):014d}",
            nama="Simulasi",
            tanggal_lahir=datetime.date(1980, 1, 1),
            jenis_kelamin=Participant.Sex.LAKI_LAKI,
            desa_id=desa,
            pekerjaan=occupation,
        )
        Enrolment.objects.bulk_create(
            Enrolment(
                participant=participant,
                program=programs[span["program"]],
                funding_source=programs[span["program"]].funding_source,
                start_month=span["start_month"],
                end_month=span.get("end_month"),
            )
            for span in history
        )
        try:
            return _run(_claim(participant, incident), heirs)
        finally:
            transaction.set_rollback(True)
