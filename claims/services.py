"""Every write on claims: one atomic service per step, each with its status guard, timeline row and audit row.

The status guard is a conditional UPDATE (``filter(pk=..., status=expected).update(...)``): when it touches no row,
another officer moved the claim first and the step is refused. Who may take which step comes from the one table in
``claims.workflow``; the payment is protected a second time by the ``claim_paid_once`` unique constraint.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.benefits import calculate_benefit
from claims.documents import missing_documents, sniff_upload
from claims.eligibility import check_eligibility
from claims.models import AhliWaris, Claim, ClaimBenefitLine, ClaimDocument, ClaimPayment, ClaimTransition
from claims.sla import sla_due_date, sla_state
from claims.workflow import TRANSITIONS, Action, may, may_edit_file
from participants.models import Participant
from rentan.access import region_code_in_scope
from rentan.audit import audit_record, snapshot

S = Claim.Status
DECIDED = (S.DISETUJUI, S.DIBAYAR)
CLAIM_INPUT_FIELDS = (
    "type",
    "jkk_kind",
    "parent_claim",
    "incident_date",
    "incident_place",
    "cause",
    "is_work_related",
    "is_traffic_accident",
    "reporter_name",
    "reporter_phone",
    "branch",
    "reported_at",
    "medical_cost",
    "homecare_cost",
    "transport_land",
    "transport_sea",
    "transport_air",
    "stmb_months",
    "cacat_rate",
)


class ClaimActionRefused(Exception):
    """A step the claim's current state does not allow; ``messages`` are for the user, in Indonesian."""

    def __init__(self, message: str, reasons: list[str] | None = None):
        self.messages = [message, *(reasons or [])]
        super().__init__(" ".join(str(m) for m in self.messages))


def _require(user, action: str) -> None:
    if not may(user, action):
        raise PermissionDenied


def _require_scope(user, participant: Participant) -> None:
    if not region_code_in_scope(user, participant.desa_id):
        raise PermissionDenied


def _timeline(*, claim: Claim, user, from_status: str, to_status: str, note: str = "") -> ClaimTransition:
    return ClaimTransition.objects.create(
        claim=claim, from_status=from_status, to_status=to_status, by=user, at=timezone.now(), note=note
    )


def _guard(*, user, claim: Claim, action: str) -> None:
    """Role, scope and status checks of a step, before any work is done for it."""
    _require(user, action)
    _require_scope(user, claim.participant)
    if claim.status not in TRANSITIONS[action].sources:
        raise ClaimActionRefused(
            _("Klaim berstatus %(status)s; langkah \u201c%(action)s\u201d tidak dapat dilakukan.")
            % {"status": S(claim.status).label, "action": Action(action).label}
        )


def _transition(*, user, claim: Claim, action: str, note: str = "", **fields) -> Claim:
    """Move ``claim`` along ``action`` if its status is still the one the user saw; timeline and audit included."""
    transition = TRANSITIONS[action]
    _guard(user=user, claim=claim, action=action)
    expected = claim.status
    before = {name: getattr(claim, name) for name in fields}
    updated = Claim.objects.filter(pk=claim.pk, status=expected).update(status=transition.target, **fields)
    if updated != 1:
        raise ClaimActionRefused(
            _("Status klaim baru saja diubah oleh pengguna lain. Muat ulang halaman lalu periksa kembali.")
        )
    claim.status = transition.target
    for name, value in fields.items():
        setattr(claim, name, value)
    _timeline(claim=claim, user=user, from_status=expected, to_status=transition.target, note=note)
    changes = {"status": [expected, transition.target]}
    changes.update({name: [_plain(before[name]), _plain(value)] for name, value in fields.items()})
    audit_record(
        user=user,
        action="update",
        instance=claim,
        region_code=claim.participant.desa_id,
        changes=changes,
        reason=note[:255],
    )
    return claim


def _plain(value):
    """JSON-safe audit values: dates and money keep their exact text."""
    if isinstance(value, datetime.date | datetime.datetime | Decimal):
        return str(value)
    return value


@transaction.atomic
def claim_submit(*, user, participant: Participant, data: dict) -> Claim:
    """Report a claim for a participant in the user's scope; it starts as *diajukan*.

    A participant dies once: a second death claim (JKM, or JKK meninggal) is refused unless the first was rejected
    (``claim_one_death_per_participant``, checked by ``full_clean`` and enforced by the database).
    A beasiswa claim continues a decided death or cacat total tetap claim of the same participant.
    """
    _require(user, Action.SUBMIT)
    _require_scope(user, participant)
    fields = {name: data[name] for name in CLAIM_INPUT_FIELDS if name in data}
    fields.setdefault("reported_at", timezone.now())
    claim = Claim(participant=participant, reported_by=user, status=S.DIAJUKAN, **fields)
    # full_clean() also checks claim_one_death_per_participant: a participant dies once.
    claim.full_clean()
    if claim.type == Claim.Type.BEASISWA:
        parent = claim.parent_claim
        if parent.participant_id != participant.pk or not parent.opens_beasiswa or parent.status not in DECIDED:
            raise ValidationError(
                {"parent_claim": _("Klaim asal harus klaim kematian atau cacat total tetap yang sudah disetujui.")}
            )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        # Two reports of the same death at the same moment: the unique constraint lets one through.
        raise ValidationError(_("Peserta ini sudah memiliki klaim kematian yang belum ditolak.")) from None
    _timeline(claim=claim, user=user, from_status="", to_status=S.DIAJUKAN, note=_("Klaim dilaporkan."))
    audit_record(
        user=user,
        action="create",
        instance=claim,
        region_code=participant.desa_id,
        changes={key: [None, value] for key, value in snapshot(claim).items()},
    )
    return claim


@transaction.atomic
def claim_verify(*, user, claim: Claim, note: str = "") -> Claim:
    """Start (or restart, after missing documents arrived) the verification of the claim's file."""
    return _transition(user=user, claim=claim, action=Action.VERIFY, note=note)


@transaction.atomic
def claim_mark_incomplete(*, user, claim: Claim, documents: list[str] | None = None, note: str = "") -> Claim:
    """Send the file back as *berkas kurang*, naming the documents still needed (default: the checklist's gaps)."""
    _guard(user=user, claim=claim, action=Action.MARK_INCOMPLETE)
    if documents is None:
        heirs = list(claim.heirs.all())
        documents = missing_documents(claim, heirs=heirs, total=calculate_benefit(claim, heirs=heirs).total)
    if not documents:
        raise ClaimActionRefused(_("Tidak ada dokumen yang kurang; tandai berkas lengkap."))
    labels = ", ".join(str(ClaimDocument.Kind(kind).label) for kind in documents)
    note = note or _("Dokumen yang kurang: %(documents)s.") % {"documents": labels}
    return _transition(
        user=user, claim=claim, action=Action.MARK_INCOMPLETE, note=note, missing_documents=list(documents)
    )


@transaction.atomic
def claim_mark_complete(*, user, claim: Claim, on: datetime.date | None = None, note: str = "") -> Claim:
    """Declare the file complete and start the SLA clock (PP 44/2015 Pasal 40(3) JKM 3, Pasal 37 JKK 7 working days)."""
    _guard(user=user, claim=claim, action=Action.MARK_COMPLETE)
    heirs = list(claim.heirs.all())
    missing = missing_documents(claim, heirs=heirs, total=calculate_benefit(claim, heirs=heirs).total)
    if missing:
        raise ClaimActionRefused(
            _("Berkas belum lengkap."),
            [_("Belum diunggah: %(kind)s.") % {"kind": ClaimDocument.Kind(kind).label} for kind in missing],
        )
    on = on or timezone.localdate()
    return _transition(
        user=user,
        claim=claim,
        action=Action.MARK_COMPLETE,
        note=note,
        missing_documents=[],
        complete_on=on,
        due_on=sla_due_date(claim, on),
    )


@transaction.atomic
def claim_approve(*, user, claim: Claim, note: str = "") -> Claim:
    """Approve an eligible claim and freeze its breakdown (the lines and their rules) as it stands today."""
    _guard(user=user, claim=claim, action=Action.APPROVE)
    heirs = list(claim.heirs.all())
    eligibility = check_eligibility(claim, heirs=heirs)
    if not eligibility.eligible:
        raise ClaimActionRefused(_("Klaim tidak memenuhi syarat dan tidak dapat disetujui."), eligibility.reasons)
    breakdown = calculate_benefit(claim, eligibility=eligibility, heirs=heirs)
    if not breakdown.lines:
        raise ClaimActionRefused(_("Tidak ada manfaat yang dapat dibayar."), breakdown.notes)
    _transition(
        user=user,
        claim=claim,
        action=Action.APPROVE,
        note=note,
        benefit_amount=breakdown.total,
        decided_at=timezone.now(),
    )
    ClaimBenefitLine.objects.filter(claim=claim).delete()
    ClaimBenefitLine.objects.bulk_create(
        ClaimBenefitLine(
            claim=claim,
            position=position,
            code=line.code,
            label=line.label[:200],
            rule_text=line.rule_text[:300],
            amount=line.amount,
            heir=line.heir,
            school_level=line.school_level,
        )
        for position, line in enumerate(breakdown.lines, start=1)
    )
    return claim


@transaction.atomic
def claim_reject(*, user, claim: Claim, reason: str) -> Claim:
    """Reject the claim; the reason is required and shown to whoever reads the claim."""
    _guard(user=user, claim=claim, action=Action.REJECT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Alasan penolakan wajib diisi.")})
    return _transition(
        user=user, claim=claim, action=Action.REJECT, note=reason, rejection_reason=reason, decided_at=timezone.now()
    )


@transaction.atomic
def claim_pay(
    *,
    user,
    claim: Claim,
    paid_on: datetime.date,
    reference: str,
    recipient: AhliWaris | None = None,
    bank_name: str = "",
    bank_account: str = "",
) -> ClaimPayment:
    """Record the payment of an approved claim, once: never twice, even when two officers press "bayar" together.

    The conditional UPDATE lets exactly one caller move the claim from *disetujui* to *dibayar*; the unique
    constraint ``claim_paid_once`` is the last line of defence. Days late and the 1%-per-day compensation
    (PP 44/2015 Pasal 40) are recorded with the payment.
    """
    _guard(user=user, claim=claim, action=Action.PAY)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Referensi pembayaran wajib diisi.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("Tanggal bayar tidak boleh di masa depan.")})
    if recipient is not None and recipient.claim_id != claim.pk:
        raise ValidationError({"recipient": _("Penerima harus ahli waris yang tercatat pada klaim ini.")})
    if recipient is None and (claim.is_death or claim.type == Claim.Type.BEASISWA):
        raise ValidationError({"recipient": _("Pilih ahli waris yang menerima pembayaran.")})
    _transition(
        user=user,
        claim=claim,
        action=Action.PAY,
        note=_("Dibayar %(day)s, referensi %(reference)s.")
        % {"day": paid_on.strftime("%d-%m-%Y"), "reference": reference},
        paid_on=paid_on,
        payment_reference=reference,
    )
    state = sla_state(claim, today=paid_on)
    try:
        with transaction.atomic():
            payment = ClaimPayment.objects.create(
                claim=claim,
                amount=claim.benefit_amount,
                paid_on=paid_on,
                reference=reference,
                recipient=recipient,
                recipient_name=recipient.nama if recipient else claim.participant.nama,
                bank_name=bank_name or (recipient.bank_name if recipient else ""),
                bank_account=bank_account or (recipient.bank_account if recipient else ""),
                late_days=state.late_days if state else 0,
                late_compensation=(state.compensation or Decimal(0)) if state else Decimal(0),
                paid_by=user,
            )
    except IntegrityError:
        raise ClaimActionRefused(_("Klaim ini sudah dibayar.")) from None
    audit_record(
        user=user,
        action="create",
        instance=payment,
        region_code=claim.participant.desa_id,
        changes={
            "amount": [None, str(payment.amount)],
            "reference": [None, reference],
            "recipient": [None, payment.recipient_name],
        },
    )
    return payment


def _heir_audit(heir: AhliWaris) -> dict:
    values = snapshot(heir)
    # The audit trail keeps only the masked account number.
    values["bank_account"] = heir.masked_account
    return values


@transaction.atomic
def heir_add(*, user, claim: Claim, data: dict) -> AhliWaris:
    """Record an heir (or a child for beasiswa) while the file is being put together."""
    _require_scope(user, claim.participant)
    if not may_edit_file(user, claim):
        raise PermissionDenied
    heir = AhliWaris(claim=claim, **data)
    heir.full_clean()
    heir.save()
    audit_record(
        user=user,
        action="create",
        instance=heir,
        region_code=claim.participant.desa_id,
        changes={key: [None, value] for key, value in _heir_audit(heir).items()},
    )
    return heir


@transaction.atomic
def heir_remove(*, user, heir: AhliWaris) -> None:
    """Remove an heir recorded by mistake, while the file is still open."""
    claim = heir.claim
    _require_scope(user, claim.participant)
    if not may_edit_file(user, claim):
        raise PermissionDenied
    audit_record(
        user=user,
        action="delete",
        instance=heir,
        region_code=claim.participant.desa_id,
        changes={key: [value, None] for key, value in _heir_audit(heir).items()},
    )
    heir.delete()


@transaction.atomic
def document_upload(*, user, claim: Claim, kind: str, uploaded_file) -> ClaimDocument:
    """Keep an uploaded document in private storage (PDF, JPG or PNG, at most 5 MB)."""
    _require_scope(user, claim.participant)
    if not may_edit_file(user, claim):
        raise PermissionDenied
    content_type, suffix = sniff_upload(uploaded_file)
    document = ClaimDocument(
        claim=claim,
        kind=kind,
        original_name=(uploaded_file.name or "berkas")[-200:],
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=user,
    )
    # The stored name is random with the extension of the sniffed type; the typed name stays in the row only.
    document.file.save(f"berkas{suffix}", uploaded_file, save=False)
    document.full_clean()
    document.save()
    audit_record(
        user=user,
        action="create",
        instance=document,
        region_code=claim.participant.desa_id,
        changes={"kind": [None, kind], "original_name": [None, document.original_name], "size": [None, document.size]},
    )
    return document
