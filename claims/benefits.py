"""The benefit of a claim, line by line, each line with the rule it comes from (domain brief §3, §4).

Every amount comes from the dated ``BenefitRule`` table through :class:`claims.rules.RuleBook` on the incident date
(for a yearly beasiswa: the date of that year's claim). U is the declared income bracket of the enrolment that
covered the incident (``Program.income_bracket``). Totals are rounded once, with ``round_rupiah``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from claims.eligibility import Eligibility, check_eligibility
from claims.heirs import propose_recipients
from claims.models import AhliWaris, BenefitRule, Claim
from claims.rules import BEASISWA_AMOUNT, RuleBook
from rentan.formatting import format_number, format_rupiah, round_rupiah

Code = BenefitRule.Code
FUNERAL_CODES = (Code.JKM_PEMAKAMAN, Code.JKK_PEMAKAMAN)


@dataclass(frozen=True)
class Line:
    code: str
    label: str
    rule_text: str
    amount: Decimal
    heir: AhliWaris | None = None
    school_level: str = ""


@dataclass
class Breakdown:
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    income_bracket: Decimal | None = None

    @property
    def total(self) -> Decimal:
        return round_rupiah(sum((line.amount for line in self.lines), Decimal(0)))


def _rp(value: Decimal) -> str:
    return format_rupiah(value)


def _n(value: Decimal) -> str:
    return format_number(value, 2 if value != value.to_integral_value() else 0)


def _jkm_lines(rules: RuleBook) -> list[Line]:
    lump = rules.value(Code.JKM_SEKALIGUS)
    monthly = rules.value(Code.JKM_BERKALA_BULAN)
    times = rules.value(Code.JKM_BERKALA_KALI)
    funeral = rules.value(Code.JKM_PEMAKAMAN)
    return [
        Line(Code.JKM_SEKALIGUS, _("Santunan sekaligus"), f"{_rp(lump)} ({rules.cite(Code.JKM_SEKALIGUS)})", lump),
        Line(
            Code.JKM_BERKALA_BULAN,
            _("Santunan berkala, dibayar sekaligus"),
            f"{_n(times)} × {_rp(monthly)} ({rules.cite(Code.JKM_BERKALA_BULAN, Code.JKM_BERKALA_KALI)})",
            times * monthly,
        ),
        Line(Code.JKM_PEMAKAMAN, _("Biaya pemakaman"), f"{_rp(funeral)} ({rules.cite(Code.JKM_PEMAKAMAN)})", funeral),
    ]


def _death_lines(rules: RuleBook, u: Decimal) -> list[Line]:
    factor = rules.value(Code.JKK_DEATH_FACTOR)
    minimum = rules.value(Code.JKK_DEATH_MIN)
    funeral = rules.value(Code.JKK_PEMAKAMAN)
    periodic = rules.value(Code.JKK_BERKALA)
    return [
        Line(
            Code.JKK_DEATH_FACTOR,
            _("Santunan kematian akibat kecelakaan kerja"),
            _("maks(%(factor)s × U, %(minimum)s) dengan U = %(u)s (%(rule)s)")
            % {
                "factor": _n(factor),
                "minimum": _rp(minimum),
                "u": _rp(u),
                "rule": rules.cite(Code.JKK_DEATH_FACTOR, Code.JKK_DEATH_MIN),
            },
            max(factor * u, minimum),
        ),
        Line(Code.JKK_PEMAKAMAN, _("Biaya pemakaman"), f"{_rp(funeral)} ({rules.cite(Code.JKK_PEMAKAMAN)})", funeral),
        Line(
            Code.JKK_BERKALA,
            _("Santunan berkala, dibayar sekaligus"),
            f"{_rp(periodic)} ({rules.cite(Code.JKK_BERKALA)})",
            periodic,
        ),
    ]


def _ctt_lines(rules: RuleBook, u: Decimal) -> list[Line]:
    factor = rules.value(Code.CTT_FACTOR)
    periodic = rules.value(Code.JKK_BERKALA)
    return [
        Line(
            Code.CTT_FACTOR,
            _("Santunan cacat total tetap"),
            _("%(factor)s × U dengan U = %(u)s (%(rule)s)")
            % {"factor": _n(factor), "u": _rp(u), "rule": rules.cite(Code.CTT_FACTOR)},
            factor * u,
        ),
        Line(
            Code.JKK_BERKALA,
            _("Santunan berkala, dibayar sekaligus"),
            f"{_rp(periodic)} ({rules.cite(Code.JKK_BERKALA)})",
            periodic,
        ),
    ]


def _cacat_sebagian_line(claim: Claim, rules: RuleBook, u: Decimal) -> Line:
    rate = claim.cacat_rate
    factor = rules.value(Code.CACAT_SEBAGIAN_FACTOR)
    return Line(
        Code.CACAT_SEBAGIAN_FACTOR,
        _("Santunan cacat sebagian anatomis: %(part)s") % {"part": rate.body_part},
        _("%(percent)s%% × %(factor)s × U dengan U = %(u)s (%(table)s; %(rule)s)")
        % {
            "percent": _n(rate.percent),
            "factor": _n(factor),
            "u": _rp(u),
            "table": rate.regulation,
            "rule": rules.cite(Code.CACAT_SEBAGIAN_FACTOR),
        },
        rate.percent / 100 * factor * u,
    )


def _stmb_lines(months: int, rules: RuleBook, u: Decimal) -> list[Line]:
    full_months = rules.count(Code.STMB_FULL_MONTHS)
    full_pct = rules.value(Code.STMB_FULL_PCT)
    after_pct = rules.value(Code.STMB_AFTER_PCT)
    cite = rules.cite(Code.STMB_FULL_PCT, Code.STMB_FULL_MONTHS, Code.STMB_AFTER_PCT)
    first = min(months, full_months)
    lines = [
        Line(
            Code.STMB_FULL_PCT,
            _("STMB bulan 1–%(last)s") % {"last": first},
            _("%(months)s × %(pct)s%% × U dengan U = %(u)s (%(rule)s)")
            % {"months": first, "pct": _n(full_pct), "u": _rp(u), "rule": cite},
            first * full_pct / 100 * u,
        )
    ]
    if months > full_months:
        rest = months - full_months
        lines.append(
            Line(
                Code.STMB_AFTER_PCT,
                _("STMB bulan %(first)s–%(last)s") % {"first": full_months + 1, "last": months},
                _("%(months)s × %(pct)s%% × U dengan U = %(u)s (%(rule)s)")
                % {"months": rest, "pct": _n(after_pct), "u": _rp(u), "rule": cite},
                rest * after_pct / 100 * u,
            )
        )
    return lines


def _capped(code: str, label: str, entered: Decimal, rules: RuleBook) -> Line:
    cap = rules.value(code)
    params = {"entered": _rp(entered), "cap": _rp(cap), "rule": rules.cite(code)}
    if entered > cap:
        text = _("sesuai kuitansi %(entered)s, dibatasi paling banyak %(cap)s (%(rule)s)") % params
    else:
        text = _("sesuai kuitansi, paling banyak %(cap)s (%(rule)s)") % params
    return Line(code, label, text, min(entered, cap))


def _care_lines(claim: Claim, rules: RuleBook) -> list[Line]:
    lines = []
    if claim.medical_cost:
        lines.append(
            Line(
                "PERAWATAN_MEDIS",
                _("Perawatan dan pengobatan"),
                _("sesuai kebutuhan medis, tanpa batas (PP 82/2019 Lampiran III)"),
                claim.medical_cost,
            )
        )
    if claim.homecare_cost:
        lines.append(_capped(Code.HOMECARE_MAX, _("Perawatan di rumah"), claim.homecare_cost, rules))
    for code, label, entered in (
        (Code.TRANSPORT_DARAT_MAX, _("Transportasi darat"), claim.transport_land),
        (Code.TRANSPORT_LAUT_MAX, _("Transportasi laut"), claim.transport_sea),
        (Code.TRANSPORT_UDARA_MAX, _("Transportasi udara"), claim.transport_air),
    ):
        if entered:
            lines.append(_capped(code, label, entered, rules))
    return lines


def _beasiswa_lines(eligibility: Eligibility, rules: RuleBook) -> list[Line]:
    lines = []
    for grant in eligibility.children:
        if not grant.granted:
            continue
        level = grant.heir.school_level
        code = BEASISWA_AMOUNT[level]
        lines.append(
            Line(
                f"BEASISWA_{level}",
                _("Beasiswa %(level)s: %(name)s")
                % {"level": grant.heir.get_school_level_display(), "name": grant.heir.nama},
                _("%(amount)s per tahun (%(rule)s)")
                % {"amount": _rp(rules.value(code)), "rule": rules.cite(code, Code.BEASISWA_MAX_CHILDREN)},
                grant.amount,
                heir=grant.heir,
                school_level=level,
            )
        )
    return lines


def calculate_benefit(
    claim: Claim,
    *,
    eligibility: Eligibility | None = None,
    heirs: list[AhliWaris] | None = None,
    rules: RuleBook | None = None,
) -> Breakdown:
    """The lines a claim pays, from the rules in force on its incident date."""
    heirs = list(claim.heirs.all()) if heirs is None else heirs
    rules = rules or RuleBook.on(claim.incident_date)
    eligibility = eligibility or check_eligibility(claim, heirs=heirs, rules=rules)
    u = eligibility.income_bracket
    result = Breakdown(income_bracket=u)
    needs_u = claim.type == Claim.Type.JKK and (claim.jkk_kind != Claim.JkkKind.PERAWATAN or claim.stmb_months)
    if needs_u and u is None:
        result.notes.append(
            _(
                "Penghasilan yang dilaporkan (U) tidak diketahui karena tidak ada kepesertaan aktif pada tanggal "
                "kejadian; santunan yang bergantung pada U tidak dihitung."
            )
        )
    if claim.type == Claim.Type.JKM:
        result.lines += _jkm_lines(rules)
    elif claim.type == Claim.Type.JKK:
        if u is not None:
            if claim.jkk_kind == Claim.JkkKind.MENINGGAL:
                result.lines += _death_lines(rules, u)
            elif claim.jkk_kind == Claim.JkkKind.CACAT_TOTAL_TETAP:
                result.lines += _ctt_lines(rules, u)
            elif claim.jkk_kind == Claim.JkkKind.CACAT_SEBAGIAN and claim.cacat_rate_id:
                result.lines.append(_cacat_sebagian_line(claim, rules, u))
            if claim.stmb_months:
                result.lines += _stmb_lines(claim.stmb_months, rules, u)
        result.lines += _care_lines(claim, rules)
    result.lines += _beasiswa_lines(eligibility, rules)
    if claim.is_death and heirs:
        proposal = propose_recipients(heirs)
        if proposal.funeral_only:
            result.lines = [line for line in result.lines if line.code in FUNERAL_CODES]
            result.notes.append(proposal.explanation)
    return result
