"""The monthly iuran of a participant: the one function every bill, forecast and planner asks.

The amounts come from the dated tables (``IuranRate``, ``IuranDiscount``, ``IuranDiscountFunding``), never from
literals here. Money stays ``Decimal`` from the table to the total, which is rounded once with
``rentan.formatting.round_rupiah``; the lines keep their exact amounts so a reader can follow the arithmetic.

Nothing is cached at module level: a ``RateBook`` holds the tables read for one job (three small queries), so a
caller that quotes many groups (a month's bills, a planner run) loads it once and passes it in, and a row changed
in the admin or in a test is seen by the next job.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from programs.models import IuranComponent, IuranDiscount, IuranDiscountFunding, IuranRate, Program
from rentan.formatting import format_number, format_rupiah, round_rupiah

# Which components each benefit package pays for; JHT is the optional extra (domain brief §2).
PACKAGE_COMPONENTS: dict[str, tuple[str, ...]] = {
    Program.Package.JKK_JKM: (IuranComponent.JKK, IuranComponent.JKM),
    Program.Package.JKK_JKM_JHT: (IuranComponent.JKK, IuranComponent.JKM, IuranComponent.JHT),
}

DISCOUNT_LINE = "POTONGAN"
HUNDRED = Decimal(100)


class IuranRuleError(Exception):
    """The rate tables cannot answer: a component has no rate for the month, or two rows claim it."""


@dataclass(frozen=True)
class IuranLine:
    """One step of the arithmetic: a component's iuran, or a (negative) discount, with the rule it follows."""

    component: str  # an IuranComponent value, or DISCOUNT_LINE
    amount: Decimal
    rule: str


@dataclass(frozen=True)
class IuranQuote:
    """The monthly iuran of one participant for one iuran month, rounded once to whole rupiah."""

    month: datetime.date
    total: Decimal
    lines: tuple[IuranLine, ...]
    notes: tuple[str, ...] = field(default=())  # why a discount that exists did not apply, for the reader

    @property
    def gross(self) -> Decimal:
        """The iuran before any discount, rounded like the total."""
        return round_rupiah(sum((line.amount for line in self.lines if line.component != DISCOUNT_LINE), Decimal(0)))

    @property
    def discount(self) -> Decimal:
        """The discount as a positive amount (``gross - total``)."""
        return self.gross - self.total

    @property
    def rules(self) -> list[str]:
        return [line.rule for line in self.lines]


def _first_of_month(month: datetime.date) -> datetime.date:
    if isinstance(month, datetime.datetime):
        raise TypeError("month must be a date (the first day of the iuran month), not a datetime")
    return month.replace(day=1)


def _covers(row, month: datetime.date) -> bool:
    return row.valid_from <= month and (row.valid_to is None or month <= row.valid_to)


def _percent_text(value: Decimal) -> str:
    """``1.00`` → ``1%``, ``0.24`` → ``0,24%``, ``50.00`` → ``50%``."""
    exponent = value.normalize().as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{format_number(value, decimals)}%"


class RateBook:
    """The rate and discount tables as read once; quote as many groups as needed from it."""

    def __init__(self, rates: list[IuranRate], discounts: list[IuranDiscount]):
        self.rates = rates
        self.discounts = discounts

    @classmethod
    def load(cls) -> RateBook:
        """Read the (small) tables: three queries whatever the number of quotes made afterwards."""
        return cls(
            rates=list(IuranRate.objects.order_by("component", "valid_from")),
            discounts=list(IuranDiscount.objects.prefetch_related("funding_rules").order_by("valid_from", "pk")),
        )

    def rate(self, component: str, month: datetime.date) -> IuranRate:
        found = [r for r in self.rates if r.component == component and _covers(r, month)]
        if not found:
            raise IuranRuleError(f"No {component} iuran rate covers {month:%Y-%m}")
        if len(found) > 1:
            raise IuranRuleError(f"{len(found)} {component} iuran rates overlap in {month:%Y-%m}")
        return found[0]

    def discount(self, month: datetime.date, *, is_transport: bool) -> IuranDiscount | None:
        found = [d for d in self.discounts if _covers(d, month) and d.covers_sector(is_transport=is_transport)]
        if len(found) > 1:
            raise IuranRuleError(f"{len(found)} iuran discounts overlap in {month:%Y-%m}; they must not stack")
        return found[0] if found else None

    def quote(
        self,
        *,
        program: Program,
        is_transport: bool,
        month: datetime.date,
        funding_source: str | None = None,
    ) -> IuranQuote:
        """The monthly iuran for ``program``'s package and income bracket in iuran month ``month``."""
        month = _first_of_month(month)
        funding_source = funding_source or program.funding_source
        bracket = program.income_bracket
        lines: list[IuranLine] = []
        amounts: dict[str, Decimal] = {}
        for component in PACKAGE_COMPONENTS[program.package]:
            rate = self.rate(component, month)
            if rate.kind == IuranRate.Kind.PERCENT:
                amount = bracket * rate.value / HUNDRED
                rule = _("%(component)s %(percent)s × %(bracket)s (%(regulation)s)") % {
                    "component": component,
                    "percent": _percent_text(rate.value),
                    "bracket": format_rupiah(bracket),
                    "regulation": rate.regulation,
                }
            else:
                amount = rate.value
                rule = _("%(component)s %(amount)s (%(regulation)s)") % {
                    "component": component,
                    "amount": format_rupiah(rate.value),
                    "regulation": rate.regulation,
                }
            amounts[component] = amount
            lines.append(IuranLine(component=str(component), amount=amount, rule=rule))

        notes: list[str] = []
        discount = self.discount(month, is_transport=is_transport)
        if discount is not None:
            funding_rule = _funding_rule(discount, funding_source)
            cut = [c for c in discount.components if c in amounts]
            if funding_rule is not None and funding_rule.is_discounted and cut:
                amount = -(sum((amounts[c] for c in cut), Decimal(0)) * discount.percent / HUNDRED)
                rule = _("Potongan %(percent)s %(components)s (%(regulation)s)") % {
                    "percent": _percent_text(discount.percent),
                    "components": "+".join(cut),
                    "regulation": discount.regulation,
                }
                lines.append(IuranLine(component=DISCOUNT_LINE, amount=amount, rule=rule))
            elif cut:
                reason = (
                    funding_rule.note if funding_rule and funding_rule.note else _("tidak diatur untuk sumber dana ini")
                )
                notes.append(
                    _("Tanpa potongan %(discount)s untuk sumber dana %(funding)s: %(reason)s")
                    % {"discount": discount.name, "funding": funding_source, "reason": reason}
                )

        total = round_rupiah(sum((line.amount for line in lines), Decimal(0)))
        return IuranQuote(month=month, total=total, lines=tuple(lines), notes=tuple(notes))


def _funding_rule(discount: IuranDiscount, funding_source: str) -> IuranDiscountFunding | None:
    # .all() reads the prefetched rows: no query per quote.
    return next((r for r in discount.funding_rules.all() if r.funding_source == funding_source), None)


def iuran_for_month(
    *,
    program: Program,
    is_transport: bool,
    month: datetime.date,
    funding_source: str | None = None,
    rates: RateBook | None = None,
) -> IuranQuote:
    """Answer "what is the monthly iuran of one participant of ``program`` for iuran month ``month``".

    ``is_transport`` selects PP 50/2025's transport window (ojol, ojek, sopir, kurir); ``funding_source`` defaults
    to the program's (an enrolment may carry its own). Pass ``rates`` (a ``RateBook``) when quoting many times.
    JKK 1% × bracket (PP 44/2015 Lampiran II jo PP 49/2023), JKM Rp6.800, JHT 2% for the JHT package only, less the
    PP 50/2025 50% on JKK + JKM where it applies: all read from the tables.
    """
    return (rates or RateBook.load()).quote(
        program=program, is_transport=is_transport, month=month, funding_source=funding_source
    )


def enrolment_is_transport(enrolment) -> bool:
    """PP 50/2025 Pasal 3: the participant works in transport, or the whole program is a transport program."""
    return bool(enrolment.participant.pekerjaan.is_transport or enrolment.program.is_transport)


def enrolment_iuran_for_month(*, enrolment, month: datetime.date, rates: RateBook | None = None) -> IuranQuote:
    """The monthly iuran of ``enrolment`` for iuran month ``month``, paid from the enrolment's funding source.

    Select ``participant__pekerjaan`` and ``program`` with the enrolment to avoid two queries per call. It does not
    check that the enrolment covers ``month``: callers pick the enrolments active in the month.
    """
    return iuran_for_month(
        program=enrolment.program,
        is_transport=enrolment_is_transport(enrolment),
        month=month,
        funding_source=enrolment.funding_source,
        rates=rates,
    )
