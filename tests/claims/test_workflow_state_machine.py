"""A Hypothesis state machine drives the claim workflow with random steps by random roles.

Whatever the order, the database must agree with the transition table in ``claims.workflow``: a step by a role
the table does not name is refused (403), a step from a status the table does not allow is refused, nothing is
*dibayar* without having been *disetujui*, and there is never more than one payment.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from claims import services
from claims.models import AhliWaris, Claim, ClaimDocument, ClaimPayment
from claims.services import ClaimActionRefused
from claims.workflow import TRANSITIONS, Action, role_of
from tests.claims.conftest import D, add_heir, attach_documents, enrolled_participant

S = Claim.Status
ROLES = ["disnaker", "bpjs", "pimpinan", "admin"]
HAPPY_PATH = {
    S.DIAJUKAN: Action.VERIFY,
    S.VERIFIKASI: Action.MARK_COMPLETE,
    S.BERKAS_KURANG: Action.VERIFY,
    S.BERKAS_LENGKAP: Action.APPROVE,
    S.DISETUJUI: Action.PAY,
}
STEPS = [Action.VERIFY, Action.MARK_INCOMPLETE, Action.MARK_COMPLETE, Action.APPROVE, Action.REJECT, Action.PAY]


def take_step(action, user, claim, janda):
    if action == Action.VERIFY:
        services.claim_verify(user=user, claim=claim)
    elif action == Action.MARK_INCOMPLETE:
        services.claim_mark_incomplete(user=user, claim=claim, documents=[ClaimDocument.Kind.LAINNYA])
    elif action == Action.MARK_COMPLETE:
        services.claim_mark_complete(user=user, claim=claim)
    elif action == Action.APPROVE:
        services.claim_approve(user=user, claim=claim)
    elif action == Action.REJECT:
        services.claim_reject(user=user, claim=claim, reason="Uji mesin status")
    else:
        services.claim_pay(user=user, claim=claim, paid_on=timezone.localdate(), reference="TRX-UJI", recipient=janda)


def test_the_workflow_follows_the_transition_table_whatever_happens(
    disnaker_kota_bengkulu, bpjs_cabang, sekda, administrator, branch_bengkulu
):
    users = {"disnaker": disnaker_kota_bengkulu, "bpjs": bpjs_cabang, "pimpinan": sekda, "admin": administrator}

    class ClaimWorkflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            participant = enrolled_participant(start=D(2024, 1, 1))
            self.claim = services.claim_submit(
                user=disnaker_kota_bengkulu,
                participant=participant,
                data={"type": Claim.Type.JKM, "incident_date": D(2025, 2, 10), "branch": branch_bengkulu},
            )
            self.janda = add_heir(self.claim, AhliWaris.Relationship.JANDA, bank_account="1234567890")
            attach_documents(self.claim, bpjs_cabang)
            self.status = S.DIAJUKAN

        @rule(action=st.sampled_from(STEPS), role=st.sampled_from(ROLES))
        def any_step(self, action, role):
            self.attempt(action, role)

        # Half of the steps push along the happy path (by any role), so that runs reach approval and payment.
        @rule(role=st.sampled_from(ROLES))
        def next_step_on_the_happy_path(self, role):
            self.attempt(HAPPY_PATH.get(self.status, Action.PAY), role)

        def attempt(self, action, role):
            user = users[role]
            transition = TRANSITIONS[action]
            allowed = role_of(user) in transition.roles
            possible = self.status in transition.sources
            claim = Claim.objects.select_related("participant").get(pk=self.claim.pk)
            try:
                take_step(action, user, claim, self.janda)
            except PermissionDenied:
                assert not allowed, f"{role} was refused {action} though the table allows it"
                return
            except ClaimActionRefused:
                assert allowed, f"{role} got past the role check for {action}"
                assert not possible, f"{action} from {self.status} was refused though the table allows it"
                return
            assert allowed, f"{role} took {action}, which the table does not allow"
            assert possible, f"{action} happened from {self.status}"
            self.status = transition.target

        @invariant()
        def the_database_agrees_with_the_table(self):
            claim = Claim.objects.get(pk=self.claim.pk)
            assert claim.status == self.status
            rows = list(claim.transitions.select_related("by").order_by("at", "pk"))
            assert [row.to_status for row in rows][:1] == [S.DIAJUKAN]
            for row in rows[1:]:
                transition = next(t for t in TRANSITIONS.values() if t.target == row.to_status)
                assert row.from_status in transition.sources
                assert role_of(row.by) in transition.roles
            assert [row.to_status for row in rows][-1] == claim.status

        @invariant()
        def nothing_is_paid_without_approval_and_never_twice(self):
            claim = Claim.objects.get(pk=self.claim.pk)
            payments = ClaimPayment.objects.filter(claim=claim).count()
            assert payments == (1 if claim.status == S.DIBAYAR else 0)
            if claim.status == S.DIBAYAR:
                paid = claim.transitions.get(to_status=S.DIBAYAR)
                assert paid.from_status == S.DISETUJUI
                assert claim.benefit_amount is not None

    run_state_machine_as_test(
        ClaimWorkflow,
        settings=settings(
            max_examples=50, stateful_step_count=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )


@pytest.mark.parametrize("action", STEPS)
def test_pimpinan_may_take_no_step(sekda, action):
    assert role_of(sekda) not in TRANSITIONS[action].roles
