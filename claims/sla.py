"""The payment SLA of a claim: due date from *berkas lengkap*, days late, and the late compensation.

PP 44/2015 Pasal 40(3): JKM within 3 working days after the file is complete; Pasal 37: JKK within 7 working days;
a late payment owes the claimant 1% of the benefit per day late. The numbers live in ``BenefitRule``
(SLA_JKM_DAYS, SLA_JKK_DAYS, LATE_PCT_PER_DAY); working days come from ``programs.calendar`` (holiday table).
Days late are calendar days after the due date, to the payment date or, while unpaid, to today.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from claims.models import BenefitRule, Claim
from claims.rules import RuleBook
from programs.calendar import add_working_days
from rentan.formatting import round_rupiah

Code = BenefitRule.Code
SLA_DAYS = {Claim.Type.JKM: Code.SLA_JKM_DAYS, Claim.Type.JKK: Code.SLA_JKK_DAYS}


def sla_working_days(claim: Claim, *, rules: RuleBook) -> int:
    return rules.count(SLA_DAYS[claim.sla_type])


def sla_due_date(claim: Claim, complete_on: datetime.date) -> datetime.date:
    """The last day to pay: the SLA's working days after the day the file became complete (not counted)."""
    return add_working_days(complete_on, sla_working_days(claim, rules=RuleBook.on(complete_on)))


@dataclass(frozen=True)
class SlaState:
    due_on: datetime.date
    working_days: int
    late_days: int
    late_pct_per_day: Decimal
    compensation: Decimal | None
    settled: bool

    @property
    def is_late(self) -> bool:
        return self.late_days > 0


def late_days(due_on: datetime.date, paid_on: datetime.date | None, today: datetime.date) -> int:
    return max(0, ((paid_on or today) - due_on).days)


def sla_state(claim: Claim, *, today: datetime.date) -> SlaState | None:
    """Where the claim stands against its SLA; None before the file is complete or after a rejection."""
    if claim.due_on is None or claim.complete_on is None or claim.status == Claim.Status.DITOLAK:
        return None
    rules = RuleBook.on(claim.complete_on)
    days = late_days(claim.due_on, claim.paid_on, today)
    pct = rules.value(Code.LATE_PCT_PER_DAY)
    compensation = None
    if claim.benefit_amount is not None:
        compensation = round_rupiah(claim.benefit_amount * pct / 100 * days)
    return SlaState(
        due_on=claim.due_on,
        working_days=sla_working_days(claim, rules=rules),
        late_days=days,
        late_pct_per_day=pct,
        compensation=compensation,
        settled=claim.paid_on is not None,
    )
