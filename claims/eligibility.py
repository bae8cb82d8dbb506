"""Eligibility of a claim at its incident date, explained in Indonesian sentences (domain brief §3–§5).

Each rule answers one :class:`Check` (a sentence that passed or failed). Blocking checks decide whether the claim
may be approved; non-blocking ones (beasiswa for each child) only explain what the breakdown includes.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.heirs import children_in_order
from claims.models import AhliWaris, BenefitRule, Claim, ClaimBenefitLine
from claims.rules import BEASISWA_AMOUNT, BEASISWA_YEARS, RuleBook
from participants.models import Enrolment, Participant
from programs.models import BillLine
from rentan.formatting import format_date, format_month, format_rupiah

Code = BenefitRule.Code
DECIDED = (Claim.Status.DISETUJUI, Claim.Status.DIBAYAR)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def participant_active_on(participant: Participant, day: datetime.date) -> Enrolment | None:
    """The enrolment that kept ``participant`` active on ``day``, or None when they were not protected then.

    "Active" is ``EnrolmentQuerySet.in_force_in``: an enrolment whose months cover the month of ``day`` and that
    arrears had not ended by then (more than ``IURAN_ARREARS_NONAKTIF_AFTER`` consecutive unpaid months, BPJS Perdir
    22/2022: ``Enrolment.nonaktif_from``, maintained by ``programs.billing``). The same rule as coverage's
    ``enrolment_active_sql``; a participant menunggak inside the catch-up window is still active.
    """
    return (
        Enrolment.objects.filter(participant=participant)
        .in_force_in(month_of(day))
        .select_related("program")
        .order_by("-start_month", "-pk")
        .first()
    )


def masa_iur_months(participant: Participant, until: datetime.date) -> int:
    """Months of paid membership up to and including the month of ``until``, from enrolments and payments.

    A month counts when an enrolment covered it (each month once), arrears had not ended that enrolment, and it was
    paid: once the portal bills the participant, a month counts only when its bill was settled by ``until`` (a bill
    month is paid only when its bill is settled, ``programs.billing``). Months before the first billed month count
    from the enrolment history (paid outside the portal), and so does everything for someone never billed here.
    """
    last = month_of(until)
    months: set[datetime.date] = set()
    for start, end, ended in Enrolment.objects.filter(participant=participant, start_month__lte=last).values_list(
        "start_month", "end_month", "nonaktif_from"
    ):
        month, stop = start, min(end or last, last)
        while month <= stop and (ended is None or month < ended):
            months.add(month)
            month = _next_month(month)
    lines = BillLine.objects.filter(enrolment__participant=participant, month__lte=last)
    billed = set(lines.values_list("month", flat=True))
    if not billed:
        return len(months)
    paid = set(lines.filter(bill__settled_on__lte=until).values_list("month", flat=True))
    first_billed = min(billed)
    return len({m for m in months if m < first_billed} | (months & paid))


def _next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Check:
    passed: bool
    text: str
    blocking: bool = True


@dataclass(frozen=True)
class ChildGrant:
    """What one child receives this year (``amount`` 0 when nothing, with the reason in ``text``)."""

    heir: AhliWaris
    granted: bool
    amount: Decimal
    text: str


@dataclass
class Eligibility:
    claim: Claim
    enrolment: Enrolment | None
    masa_iur: int
    checks: list[Check] = field(default_factory=list)
    beasiswa_allowed: bool = False
    children: list[ChildGrant] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(check.passed for check in self.checks if check.blocking)

    @property
    def reasons(self) -> list[str]:
        """Why the claim cannot be paid: the failed blocking sentences."""
        return [check.text for check in self.checks if check.blocking and not check.passed]

    @property
    def income_bracket(self) -> Decimal | None:
        return self.enrolment.program.income_bracket if self.enrolment else None


def _membership_check(participant: Participant, enrolment: Enrolment | None, day: datetime.date) -> Check:
    if enrolment is None:
        ended = (
            Enrolment.objects.filter(participant=participant, nonaktif_from__lte=month_of(day))
            .active_in(month_of(day))
            .order_by("-nonaktif_from")
            .first()
        )
        if ended is not None:
            # BPJS Perdir 22/2022 (domain brief §2): membership ends after too many consecutive unpaid months.
            return Check(
                False,
                _(
                    "Peserta nonaktif karena tunggakan iuran sejak %(since)s (tanggal kejadian %(day)s); "
                    "manfaat hanya dibayar bila peserta aktif pada tanggal kejadian."
                )
                % {"since": format_month(ended.nonaktif_from), "day": format_date(day)},
            )
        return Check(
            False,
            _(
                "Peserta tidak memiliki kepesertaan aktif pada bulan %(month)s (tanggal kejadian %(day)s); "
                "manfaat hanya dibayar bila peserta aktif pada tanggal kejadian."
            )
            % {"month": format_month(month_of(day)), "day": format_date(day)},
        )
    end = format_month(enrolment.end_month) if enrolment.end_month else _("berjalan")
    return Check(
        True,
        # The paying program is not named: it may belong to a region the reader may not see.
        _("Peserta aktif pada %(day)s, iuran dibayar dari sumber dana %(funding)s (kepesertaan %(start)s – %(end)s).")
        % {
            "day": format_date(day),
            "funding": enrolment.funding_source,
            "start": format_month(enrolment.start_month),
            "end": end,
        },
    )


def _jkm_cause_check(claim: Claim) -> Check:
    if claim.is_work_related:
        return Check(
            False,
            _(
                "Kematian akibat kecelakaan kerja dibayar melalui JKK, bukan JKM: ajukan sebagai klaim JKK "
                "(PP 44/2015 Pasal 33)."
            ),
        )
    return Check(True, _("Kematian bukan akibat kecelakaan kerja, sehingga termasuk Jaminan Kematian."))


def _jkk_checks(claim: Claim, rules: RuleBook) -> list[Check]:
    checks = []
    if not claim.is_work_related:
        checks.append(Check(False, _("Kejadian tidak dinyatakan sebagai kecelakaan kerja; JKK tidak berlaku.")))
    else:
        checks.append(Check(True, _("Kejadian dinyatakan sebagai kecelakaan kerja.")))
    years = rules.count(Code.JKK_CLAIM_EXPIRY_YEARS)
    deadline = add_years(claim.incident_date, years)
    reported = timezone.localtime(claim.reported_at).date() if claim.reported_at else claim.incident_date
    params = {
        "reported": format_date(reported),
        "incident": format_date(claim.incident_date),
        "deadline": format_date(deadline),
        "years": years,
        "rule": rules.cite(Code.JKK_CLAIM_EXPIRY_YEARS),
    }
    if reported > deadline:
        checks.append(
            Check(
                False,
                _(
                    "Klaim dilaporkan %(reported)s, lebih dari %(years)s tahun sesudah kecelakaan %(incident)s "
                    "(batas %(deadline)s): hak atas manfaat JKK gugur (%(rule)s)."
                )
                % params,
            )
        )
    else:
        checks.append(
            Check(
                True,
                _("Klaim dilaporkan %(reported)s, masih dalam %(years)s tahun sesudah kecelakaan (batas %(deadline)s).")
                % params,
            )
        )
    return checks


def _beasiswa_rule_check(claim: Claim, masa_iur: int, rules: RuleBook) -> Check:
    """Whether the claim type opens beasiswa at all: JKM needs masa iur ≥ 36 months, JKK death/CTT does not."""
    if claim.type == Claim.Type.JKM:
        minimum = rules.count(Code.BEASISWA_JKM_MIN_MASA_IUR)
        params = {"months": masa_iur, "minimum": minimum, "rule": rules.cite(Code.BEASISWA_JKM_MIN_MASA_IUR)}
        if masa_iur < minimum:
            return Check(
                False,
                _("Masa iur %(months)s bulan, kurang dari %(minimum)s bulan: beasiswa JKM tidak diberikan (%(rule)s).")
                % params,
                blocking=False,
            )
        return Check(
            True,
            _("Masa iur %(months)s bulan (paling sedikit %(minimum)s bulan): anak berhak atas beasiswa (%(rule)s).")
            % params,
            blocking=False,
        )
    return Check(
        True,
        _(
            "Beasiswa karena meninggal atau cacat total tetap akibat kecelakaan kerja diberikan tanpa syarat masa "
            "iur (%(rule)s)."
        )
        % {"rule": rules.cite(Code.BEASISWA_MAX_CHILDREN)},
        blocking=False,
    )


def _beasiswa_history(claim: Claim, niks: list[str]) -> tuple[dict, dict, set]:
    """Per child NIK: years received at each level, Rupiah received, from earlier decided claims."""
    lines = ClaimBenefitLine.objects.filter(
        claim__participant_id=claim.participant_id,
        claim__status__in=DECIDED,
        code__startswith="BEASISWA",
        heir__nik__in=niks,
    ).exclude(claim_id=claim.pk)
    years = {
        (row["heir__nik"], row["school_level"]): row["n"]
        for row in lines.values("heir__nik", "school_level").annotate(n=Count("pk")).order_by()
    }
    received = {
        row["heir__nik"]: row["total"] for row in lines.values("heir__nik").annotate(total=Sum("amount")).order_by()
    }
    return years, received, set(received)


def beasiswa_children(claim: Claim, heirs: list[AhliWaris], rules: RuleBook, day: datetime.date) -> list[ChildGrant]:
    """Which children receive beasiswa this year and how much, each with the reason in words.

    At most ``BEASISWA_MAX_CHILDREN`` children ever: those who already received it keep their place, then the
    eldest. A child stops at ``BEASISWA_MAX_AGE``, on marriage or work, after the maximum years of a level, and at
    the cap per child (PP 82/2019; Permenaker 5/2021).
    """
    children = [heir for heir in heirs if heir.relationship == AhliWaris.Relationship.ANAK]
    if not children:
        return []
    years_used, received, earlier = _beasiswa_history(claim, [child.nik for child in children])
    max_children = rules.count(Code.BEASISWA_MAX_CHILDREN)
    max_age = rules.count(Code.BEASISWA_MAX_AGE)
    cap = rules.value(Code.BEASISWA_CAP_PER_CHILD)
    places = set()
    grants = []
    for child in children_in_order(children, earlier):
        age = child.age_on(day)
        params = {"name": child.nama, "age": age, "max_age": max_age, "max_children": max_children}
        if child.nik in earlier:
            places.add(child.nik)
        if not child.school_level:
            grants.append(ChildGrant(child, False, Decimal(0), _("%(name)s tidak sedang sekolah.") % params))
            continue
        level = child.school_level
        params["level"] = child.get_school_level_display()
        if child.beasiswa_ended:
            text = _("%(name)s sudah menikah atau bekerja: beasiswa berhenti.") % params
        elif age >= max_age:
            text = _("%(name)s berusia %(age)s tahun: beasiswa berakhir pada usia %(max_age)s tahun.") % params
        elif child.nik not in places and len(places) >= max_children:
            text = _("%(name)s tidak mendapat beasiswa: paling banyak untuk %(max_children)s anak.") % params
        else:
            places.add(child.nik)
            used = years_used.get((child.nik, level), 0)
            max_years = rules.count(BEASISWA_YEARS[level])
            already = received.get(child.nik, Decimal(0))
            amount = min(rules.value(BEASISWA_AMOUNT[level]), cap - already)
            params.update(
                used=used,
                max_years=max_years,
                amount=format_rupiah(amount),
                cap=format_rupiah(cap),
                already=format_rupiah(already),
            )
            if used >= max_years:
                text = (
                    _("%(name)s sudah menerima beasiswa %(level)s %(used)s tahun (paling lama %(max_years)s).") % params
                )
            elif amount <= 0:
                text = _("%(name)s sudah menerima %(already)s, batas beasiswa per anak %(cap)s.") % params
            else:
                grants.append(
                    ChildGrant(
                        child,
                        True,
                        amount,
                        _("%(name)s (%(level)s, usia %(age)s tahun) menerima beasiswa %(amount)s tahun ini.") % params,
                    )
                )
                continue
        grants.append(ChildGrant(child, False, Decimal(0), text))
    return grants


def _parent_checks(claim: Claim) -> list[Check]:
    parent = claim.parent_claim
    if parent is None or parent.participant_id != claim.participant_id or not parent.opens_beasiswa:
        return [Check(False, _("Beasiswa harus merujuk klaim kematian atau cacat total tetap peserta yang sama."))]
    if parent.status not in DECIDED:
        return [
            Check(
                False,
                _("Klaim asal (%(type)s, %(day)s) belum disetujui.")
                % {"type": parent.get_type_display(), "day": format_date(parent.incident_date)},
            )
        ]
    return [
        Check(
            True,
            _("Beasiswa lanjutan dari klaim %(type)s tanggal %(day)s yang sudah disetujui.")
            % {"type": parent.get_type_display(), "day": format_date(parent.incident_date)},
        )
    ]


def check_eligibility(
    claim: Claim, *, heirs: list[AhliWaris] | None = None, rules: RuleBook | None = None
) -> Eligibility:
    """Every rule that decides whether ``claim`` may be paid, each as a sentence that passed or failed."""
    heirs = list(claim.heirs.all()) if heirs is None else heirs
    if claim.type == Claim.Type.BEASISWA:
        return _beasiswa_claim_eligibility(claim, heirs, rules or RuleBook.on(claim.incident_date))
    rules = rules or RuleBook.on(claim.incident_date)
    enrolment = participant_active_on(claim.participant, claim.incident_date)
    masa_iur = masa_iur_months(claim.participant, claim.incident_date)
    result = Eligibility(claim=claim, enrolment=enrolment, masa_iur=masa_iur)
    result.checks.append(_membership_check(claim.participant, enrolment, claim.incident_date))
    if claim.type == Claim.Type.JKM:
        result.checks.append(_jkm_cause_check(claim))
    else:
        result.checks.extend(_jkk_checks(claim, rules))
    if claim.opens_beasiswa:
        rule_check = _beasiswa_rule_check(claim, masa_iur, rules)
        result.checks.append(rule_check)
        result.beasiswa_allowed = rule_check.passed
        if rule_check.passed:
            result.children = beasiswa_children(claim, heirs, rules, claim.incident_date)
            result.checks.extend(Check(grant.granted, grant.text, blocking=False) for grant in result.children)
    return result


def _beasiswa_claim_eligibility(claim: Claim, heirs: list[AhliWaris], rules: RuleBook) -> Eligibility:
    parent = claim.parent_claim
    origin_day = parent.incident_date if parent else claim.incident_date
    enrolment = participant_active_on(claim.participant, origin_day)
    masa_iur = masa_iur_months(claim.participant, origin_day)
    result = Eligibility(claim=claim, enrolment=enrolment, masa_iur=masa_iur)
    result.checks.extend(_parent_checks(claim))
    result.checks.append(_membership_check(claim.participant, enrolment, origin_day))
    if parent is not None and parent.opens_beasiswa:
        rule_check = _beasiswa_rule_check(parent, masa_iur, rules)
        result.checks.append(Check(rule_check.passed, rule_check.text))
        result.beasiswa_allowed = rule_check.passed
    if result.beasiswa_allowed:
        result.children = beasiswa_children(claim, heirs, rules, claim.incident_date)
        result.checks.extend(Check(grant.granted, grant.text, blocking=False) for grant in result.children)
        if not any(grant.granted for grant in result.children):
            result.checks.append(Check(False, _("Tidak ada anak yang memenuhi syarat beasiswa tahun ini.")))
    return result
