"""The claim workflow in one table: each step, the statuses it starts from, where it leads, and who may take it.

diajukan → verifikasi berkas → berkas kurang (which documents) / berkas lengkap → disetujui / ditolak (reason)
→ dibayar (date, reference). Disnaker operators report claims; BPJS branch officers verify, decide and pay;
pimpinan only read; administrators may do everything. Services, views and tests all read this table.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.models import Claim
from rentan.models import User

S = Claim.Status
R = User.Role


class Action(models.TextChoices):
    SUBMIT = "submit", _("Ajukan klaim")
    VERIFY = "verify", _("Mulai verifikasi berkas")
    MARK_INCOMPLETE = "mark_incomplete", _("Berkas kurang")
    MARK_COMPLETE = "mark_complete", _("Berkas lengkap")
    APPROVE = "approve", _("Setujui")
    REJECT = "reject", _("Tolak")
    PAY = "pay", _("Catat pembayaran")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # A new claim has no status yet: "" is the source of the submit step.
        Transition(Action.SUBMIT, frozenset({""}), S.DIAJUKAN, frozenset({R.DISNAKER, R.BPJS, R.ADMIN})),
        Transition(Action.VERIFY, frozenset({S.DIAJUKAN, S.BERKAS_KURANG}), S.VERIFIKASI, frozenset({R.BPJS, R.ADMIN})),
        Transition(Action.MARK_INCOMPLETE, frozenset({S.VERIFIKASI}), S.BERKAS_KURANG, frozenset({R.BPJS, R.ADMIN})),
        Transition(Action.MARK_COMPLETE, frozenset({S.VERIFIKASI}), S.BERKAS_LENGKAP, frozenset({R.BPJS, R.ADMIN})),
        Transition(Action.APPROVE, frozenset({S.BERKAS_LENGKAP}), S.DISETUJUI, frozenset({R.BPJS, R.ADMIN})),
        Transition(
            Action.REJECT,
            frozenset({S.DIAJUKAN, S.VERIFIKASI, S.BERKAS_KURANG, S.BERKAS_LENGKAP}),
            S.DITOLAK,
            frozenset({R.BPJS, R.ADMIN}),
        ),
        Transition(Action.PAY, frozenset({S.DISETUJUI}), S.DIBAYAR, frozenset({R.BPJS, R.ADMIN})),
    ]
}

# Heirs and documents can change while the file is being put together, by whoever may report or verify.
EDITABLE_STATUSES = frozenset({S.DIAJUKAN, S.VERIFIKASI, S.BERKAS_KURANG})
EDITOR_ROLES = TRANSITIONS[Action.SUBMIT].roles | TRANSITIONS[Action.VERIFY].roles


def role_of(user) -> str:
    return R.ADMIN if user.is_administrator else user.role


def may(user, action: str) -> bool:
    """Whether the user's role may take ``action`` at all (scope and status are checked apart)."""
    return bool(user.is_authenticated and user.is_active and role_of(user) in TRANSITIONS[action].roles)


def actions_for(user, claim: Claim) -> list[Transition]:
    """The steps this user may take on this claim now: what the detail page offers as buttons."""
    return [
        t
        for t in TRANSITIONS.values()
        if t.action != Action.SUBMIT and claim.status in t.sources and may(user, t.action)
    ]


def may_edit_file(user, claim: Claim) -> bool:
    """Whether the user may add heirs and documents to the claim now."""
    return bool(
        user.is_authenticated and user.is_active and role_of(user) in EDITOR_ROLES and claim.status in EDITABLE_STATUSES
    )


def may_see_bank_account(user, claim: Claim) -> bool:
    """Full account numbers only for whoever pays: the claim's own branch officers (and administrators)."""
    if not may(user, Action.PAY):
        return False
    return role_of(user) == R.ADMIN or user.branch_id == claim.branch_id
