"""The benefit rules in force on a date, read from ``BenefitRule`` in one query.

Every amount, factor and limit the claim code uses comes from here, with the regulation that sets it, so a new
regulation is a new row (admin or migration) and never a code change.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from claims.models import BenefitRule, SchoolLevel

Code = BenefitRule.Code

BEASISWA_AMOUNT = {
    SchoolLevel.TK: Code.BEASISWA_TK,
    SchoolLevel.SD: Code.BEASISWA_SD,
    SchoolLevel.SMP: Code.BEASISWA_SMP,
    SchoolLevel.SMA: Code.BEASISWA_SMA,
    SchoolLevel.PT: Code.BEASISWA_PT,
}
BEASISWA_YEARS = {
    SchoolLevel.TK: Code.BEASISWA_TK_TAHUN,
    SchoolLevel.SD: Code.BEASISWA_SD_TAHUN,
    SchoolLevel.SMP: Code.BEASISWA_SMP_TAHUN,
    SchoolLevel.SMA: Code.BEASISWA_SMA_TAHUN,
    SchoolLevel.PT: Code.BEASISWA_PT_TAHUN,
}


class MissingRule(LookupError):
    """No rule row covers the date: the table needs a row (the message is for the operator)."""

    def __init__(self, code: str, day: datetime.date):
        self.code = code
        self.day = day
        super().__init__(
            _("Aturan manfaat %(code)s untuk kejadian tanggal %(day)s belum ada di tabel aturan manfaat.")
            % {"code": code, "day": day.strftime("%d-%m-%Y")}
        )


@dataclass(frozen=True)
class RuleBook:
    """The rules valid on one day; ``value(code)`` answers a Decimal, ``cite(code)`` the regulation."""

    day: datetime.date
    rules: dict[str, BenefitRule]

    @classmethod
    def on(cls, day: datetime.date) -> "RuleBook":
        rules = {}
        for rule in BenefitRule.objects.in_force(day).order_by("valid_from"):
            rules[rule.code] = rule
        return cls(day=day, rules=rules)

    def rule(self, code: str) -> BenefitRule:
        try:
            return self.rules[code]
        except KeyError:
            raise MissingRule(code, self.day) from None

    def value(self, code: str) -> Decimal:
        return self.rule(code).value

    def count(self, code: str) -> int:
        return int(self.rule(code).value)

    def cite(self, *codes: str) -> str:
        """The regulations behind ``codes``, each named once, in order."""
        seen = []
        for code in codes:
            regulation = self.rule(code).regulation
            if regulation not in seen:
                seen.append(regulation)
        return "; ".join(seen)
