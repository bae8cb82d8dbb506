"""Monthly iuran bills, payments, overpayment credits and arrears: every write to them goes through here.

Bills (domain brief §2). ``bill_generate`` bills one program for one iuran month, set-based: the enrolments in force
that month (``EnrolmentQuerySet.in_force_in``'s rule) that have no line for the month yet are grouped by the two
things that change their iuran (transport sector, funding source); each group is priced in SQL by joining the rate
and discount rows valid for the month, exactly as ``programs.rates`` prices one enrolment (the rule's words come
from that function too, and its total must agree with the SQL or nothing is written); then one
``INSERT … SELECT`` writes a line per enrolment. The first run of a month makes the regular bill; a later run bills
only enrolments added since, on a correction bill linked to the regular one; a run with nothing new writes nothing.
The database refuses a second line for the same enrolment and month.

Payments (SP2D) settle a bill in part or in full; what exceeds the bill is carried, as an explicit audited
``BillCredit``, to the program's regular bill of the next month.

Arrears (BPJS Perdir 22/2022, domain brief §2). An enrolment-month counts as **paid only when its bill is
settled** (payments and credits reach the bill's total): payments are made per bill (one SP2D for the whole
group), so a partly paid bill leaves every one of its months unpaid. That is the conservative reading (no
participant is declared protected by money that did not cover the group) and the only one that needs no choice of
who among the group the partial payment covers. A month is *overdue* on a day after its due date while its bill is
not settled on that day. When more than ``IURAN_ARREARS_NONAKTIF_AFTER`` (default 3) consecutive months of an
enrolment are overdue on the same day, the membership ends: ``Enrolment.nonaktif_from`` is set to the last month
of that run (the first month not protected). Paying inside the window (before the run grows past the threshold)
is the catch-up BPJS allows; paying afterwards does not restore the enrolment (reactivation is a new enrolment,
``enrolment_reactivate``). ``nonaktif_from`` is a stored column so that coverage (millions of rows) and claims read
it without scanning bills; ``arrears_refresh`` recomputes it set-based per program whenever bills or payments
change, and nightly (time alone makes months overdue).

PostgreSQL only (window functions over dates, ``'infinity'``); the tests run on PostgreSQL.
"""

# ruff: noqa: S608 - the SQL below is assembled from this module's own constants and model table names.

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.calendar import iuran_due_date, next_working_day
from programs.models import (
    Bill,
    BillCredit,
    BillLine,
    BillPrice,
    IuranComponent,
    IuranDiscount,
    IuranDiscountFunding,
    IuranRate,
    Occupation,
    Payment,
    Program,
)
from programs.rates import PACKAGE_COMPONENTS, IuranRuleError, RateBook, iuran_for_month
from rentan.audit import audit_record, diff, snapshot

logger = logging.getLogger(__name__)

# Tables reached through the models' relations, so this module imports no app above programs.
ENROLMENT = BillLine._meta.get_field("enrolment").related_model
PARTICIPANT = ENROLMENT._meta.get_field("participant").related_model
T_ENROLMENT = ENROLMENT._meta.db_table
T_PARTICIPANT = PARTICIPANT._meta.db_table
T_OCCUPATION = Occupation._meta.db_table
T_BILL = Bill._meta.db_table
T_LINE = BillLine._meta.db_table
T_PRICE = BillPrice._meta.db_table
T_RATE = IuranRate._meta.db_table
T_DISCOUNT = IuranDiscount._meta.db_table
T_FUNDING = IuranDiscountFunding._meta.db_table
T_PAYMENT = Payment._meta.db_table
T_CREDIT = BillCredit._meta.db_table

JOB_WORK_MEM = "256MB"
ANALYZE_AFTER_LINES = 100_000


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def arrears_threshold() -> int:
    return settings.IURAN_ARREARS_NONAKTIF_AFTER


def _require_program_manager(user) -> None:
    # Tasks and commands act without a user (None); a person must be allowed to manage programs.
    if user is not None and not user.may_manage_programs:
        raise PermissionDenied


# --- generating bills --------------------------------------------------------------------------------------------
# Enrolments of the program in force in the month (not ended, not nonaktif by arrears) without a line for it yet.
PENDING_SQL = f"""
    CREATE TEMP TABLE bill_pending ON COMMIT DROP AS
    SELECT e.id AS enrolment_id, e.funding_source,
           (o.is_transport OR %(program_transport)s) AS is_transport
      FROM {T_ENROLMENT} e
      JOIN {T_PARTICIPANT} p ON p.id = e.participant_id
      JOIN {T_OCCUPATION} o ON o.id = p.pekerjaan_id
     WHERE e.program_id = %(program)s
       AND e.start_month <= %(month)s AND (e.end_month IS NULL OR e.end_month >= %(month)s)
       AND (e.nonaktif_from IS NULL OR e.nonaktif_from > %(month)s)
       AND NOT EXISTS (SELECT 1 FROM {T_LINE} l WHERE l.enrolment_id = e.id AND l.month = %(month)s)"""


def _component_sql(alias: str) -> str:
    """The monthly iuran of one component: percent of the bracket or a fixed Rupiah (PP 44/2015 Lampiran II)."""
    return f"(CASE {alias}.kind WHEN 'PERCENT' THEN %(bracket)s * {alias}.value / 100 ELSE {alias}.value END)"


def _rate_join(alias: str, component: str, wanted: bool) -> str:
    condition = "TRUE" if wanted else "FALSE"
    return (
        f"LEFT JOIN {T_RATE} {alias} ON {condition} AND {alias}.component = '{component}' "
        f"AND {alias}.valid_from <= %(month)s AND ({alias}.valid_to IS NULL OR {alias}.valid_to >= %(month)s)"
    )


def _price_sql(package: str) -> str:
    """Price each (transport, funding source) group from the rate tables valid in the month, as ``programs.rates``.

    JKK 1% × bracket and JKM Rp6.800 (PP 44/2015 jo PP 49/2023), JHT 2% for the JHT package; less the discount row
    of the month and sector (PP 50/2025 Pasal 3–4: 50% of JKK + JKM) when the funding source's row says
    discounted (APBN/APBD never, Pasal 3); the total rounded once to whole rupiah, half up (``round_rupiah``).
    """
    components = PACKAGE_COMPONENTS[package]
    with_jht = IuranComponent.JHT in components
    jkk, jkm, jht = _component_sql("jkk"), _component_sql("jkm"), _component_sql("jht")
    gross = f"{jkk} + {jkm} + COALESCE({jht}, 0)"
    cut = (
        f"(CASE WHEN d.applies_to_jkk THEN {jkk} ELSE 0 END + CASE WHEN d.applies_to_jkm THEN {jkm} ELSE 0 END "
        f"+ CASE WHEN d.applies_to_jht THEN COALESCE({jht}, 0) ELSE 0 END) * d.percent / 100"
    )
    applies = "(f.is_discounted IS TRUE)"
    return f"""
        INSERT INTO {T_PRICE} (bill_id, is_transport, funding_source, jiwa, jkk_rate_id, jkm_rate_id, jht_rate_id,
                               discount_id, gross, discount_amount, amount, rule, note)
        SELECT %(bill)s, g.is_transport, g.funding_source, g.n, jkk.id, jkm.id, jht.id,
               CASE WHEN {applies} THEN d.id END,
               round({gross}, 0),
               round({gross}, 0) - round({gross} - CASE WHEN {applies} THEN {cut} ELSE 0 END, 0),
               round({gross} - CASE WHEN {applies} THEN {cut} ELSE 0 END, 0),
               '', ''
          FROM (SELECT is_transport, funding_source, count(*) AS n FROM bill_pending
                 GROUP BY is_transport, funding_source) g
          {_rate_join("jkk", IuranComponent.JKK, True)}
          {_rate_join("jkm", IuranComponent.JKM, True)}
          {_rate_join("jht", IuranComponent.JHT, with_jht)}
          LEFT JOIN {T_DISCOUNT} d ON d.valid_from <= %(month)s AND (d.valid_to IS NULL OR d.valid_to >= %(month)s)
               AND (d.sector = 'ALL' OR (d.sector = 'TRANSPORT') = g.is_transport)
          LEFT JOIN {T_FUNDING} f ON f.discount_id = d.id AND f.funding_source = g.funding_source"""


LINES_SQL = f"""
    INSERT INTO {T_LINE} (bill_id, enrolment_id, month, price_id, amount)
    SELECT %(bill)s, b.enrolment_id, %(month)s, pr.id, pr.amount
      FROM bill_pending b
      JOIN {T_PRICE} pr ON pr.bill_id = %(bill)s AND pr.is_transport = b.is_transport
                       AND pr.funding_source = b.funding_source"""

TOTALS_SQL = f"""
    UPDATE {T_BILL} SET jiwa = s.jiwa, amount = s.amount
      FROM (SELECT sum(jiwa) AS jiwa, sum(jiwa * amount) AS amount FROM {T_PRICE} WHERE bill_id = %(bill)s) s
     WHERE id = %(bill)s"""


@dataclass(frozen=True)
class BillResult:
    program_id: int
    month: datetime.date
    bill: Bill | None  # the bill written by this run; None when there was nothing new to bill
    lines: int
    seconds: float

    @property
    def created(self) -> bool:
        return self.bill is not None


def _correction_due_date(month: datetime.date, today: datetime.date) -> datetime.date:
    due = iuran_due_date(month)
    late = next_working_day(today + datetime.timedelta(days=settings.IURAN_CORRECTION_DUE_DAYS))
    return due if due >= today else late


def _quote_groups(program: Program, month: datetime.date, groups, rates: RateBook) -> dict:
    """The rate function's quote for each (transport, funding source) group; raises IuranRuleError first."""
    return {
        (is_transport, funding): iuran_for_month(
            program=program, is_transport=is_transport, month=month, funding_source=funding, rates=rates
        )
        for is_transport, funding in groups
    }


class BillingUnavailable(Exception):
    """Bills are generated with PostgreSQL-only SQL; the embedded SQLite demo cannot make them."""


@transaction.atomic
def bill_generate(*, program: Program, month: datetime.date, user=None, rates: RateBook | None = None) -> BillResult:
    """Bill ``program`` for iuran month ``month``: the regular bill, or a correction for enrolments added since.

    Idempotent: a run that finds every enrolment in force already billed for the month writes nothing. Domain brief
    §2: due the 15th of the iuran month, next working day (PP 44/2015); priced by ``programs.rates`` rules.
    """
    _require_program_manager(user)
    if connection.vendor != "postgresql":
        raise BillingUnavailable(_("Tagihan iuran hanya dapat dibuat pada basis data PostgreSQL."))
    started = time.perf_counter()
    month = month_start(month)
    # One generation per program at a time: the row lock queues a second run behind the first.
    program = Program.objects.select_for_update().get(pk=program.pk)
    params = {"program": program.pk, "month": month, "program_transport": program.is_transport}
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{JOB_WORK_MEM}'")
        cursor.execute("DROP TABLE IF EXISTS pg_temp.bill_pending")
        cursor.execute(PENDING_SQL, params)
        cursor.execute(
            "SELECT is_transport, funding_source, count(*) FROM bill_pending GROUP BY is_transport, funding_source"
        )
        groups = {(row[0], row[1]): row[2] for row in cursor.fetchall()}
        if not groups:
            cursor.execute("DROP TABLE pg_temp.bill_pending")
            return BillResult(program.pk, month, None, 0, time.perf_counter() - started)
        quotes = _quote_groups(program, month, groups, rates or RateBook.load())

        regular = Bill.objects.filter(program=program, month=month, kind=Bill.Kind.REGULAR).first()
        today = timezone.localdate()
        if regular is None:
            bill = Bill.objects.create(program=program, month=month, due_date=iuran_due_date(month), generated_by=user)
        else:
            bill = Bill.objects.create(
                program=program,
                month=month,
                kind=Bill.Kind.CORRECTION,
                corrects=regular,
                due_date=_correction_due_date(month, today),
                generated_by=user,
            )
        params["bill"] = bill.pk
        params["bracket"] = program.income_bracket
        cursor.execute(_price_sql(program.package), params)
        for price in BillPrice.objects.filter(bill=bill):
            quote = quotes[(price.is_transport, price.funding_source)]
            if quote.total != price.amount:
                # Two implementations of one rule must agree; refuse to bill rather than bill a wrong amount.
                raise IuranRuleError(
                    f"Bill SQL priced {price.funding_source}/{price.is_transport} at {price.amount}, "
                    f"programs.rates at {quote.total} for {month:%Y-%m}"
                )
            price.rule = "; ".join(quote.rules)
            price.note = " ".join(quote.notes)
            price.save(update_fields=["rule", "note"])
        cursor.execute(LINES_SQL, params)
        lines = cursor.rowcount
        if lines >= ANALYZE_AFTER_LINES:
            # Fresh statistics before autovacuum gets there, so the arrears job plans for a million lines.
            cursor.execute(f"ANALYZE {T_LINE}")
        cursor.execute(TOTALS_SQL, params)
        cursor.execute("DROP TABLE pg_temp.bill_pending")
    bill.refresh_from_db()
    if bill.kind == Bill.Kind.REGULAR:
        # Overpayments of last month waiting for this bill.
        BillCredit.objects.filter(program=program, target_month=month, target_bill__isnull=True).update(
            target_bill=bill
        )
    bill_settle(bill=bill)
    audit_record(
        user=user,
        action="create",
        instance=bill,
        region_code=program.owner_region_id,
        changes={k: [None, v] for k, v in snapshot(bill).items()},
    )
    return BillResult(program.pk, month, bill, lines, time.perf_counter() - started)


def programs_running_in(month: datetime.date):
    """Programs whose own period covers ``month``."""
    return Program.objects.filter(Q(end_month__isnull=True) | Q(end_month__gte=month), start_month__lte=month).order_by(
        "pk"
    )


def bills_generate_month(*, month: datetime.date, program_ids=None, user=None) -> list[BillResult]:
    """Bill every running program (or those given) for ``month``, one transaction each, then refresh arrears."""
    programs = programs_running_in(month_start(month))
    if program_ids:
        programs = programs.filter(pk__in=program_ids)
    rates = RateBook.load()
    return [bill_generate_then_arrears(program=p, month=month, user=user, rates=rates) for p in programs]


def bill_generate_then_arrears(*, program: Program, month: datetime.date, user=None, rates=None) -> BillResult:
    """``bill_generate``, then ``arrears_refresh`` when the new bill is already past due (a past month billed
    late): only then can a new bill put anyone in arrears at once."""
    started = time.perf_counter()
    result = bill_generate(program=program, month=month, user=user, rates=rates)
    # The time up to and including the commit (index and constraint work lands there).
    result = replace(result, seconds=time.perf_counter() - started)
    if result.created and result.bill.due_date < timezone.localdate():
        arrears_refresh(program=program)
    return result


# --- settling bills, overpayment credits -------------------------------------------------------------------------
SETTLE_SQL = f"""
    SELECT min(day) FILTER (WHERE running >= %(amount)s), coalesce(max(running), 0), max(day)
      FROM (SELECT day, sum(amount) OVER (ORDER BY day, kind, id) AS running
              FROM (SELECT paid_on AS day, 1 AS kind, id, amount FROM {T_PAYMENT} WHERE bill_id = %(bill)s
                    UNION ALL
                    SELECT credited_on, 0, id, amount FROM {T_CREDIT} WHERE target_bill_id = %(bill)s) events
           ) totals"""


def bill_settle(*, bill: Bill, user=None, _depth: int = 0) -> Bill:
    """Recompute what ``bill`` has received, when it was settled, and carry any excess to the next month.

    Sums in the database: payments and incoming credits in date order; the day the running total reaches the
    bill's amount is ``settled_on``. The excess becomes (or updates, or removes) the bill's one ``BillCredit`` to
    the regular bill of the next month, which is settled again in turn.
    """
    with connection.cursor() as cursor:
        cursor.execute(SETTLE_SQL, {"bill": bill.pk, "amount": bill.amount})
        settled_on, received, last_day = cursor.fetchone()
    received = Decimal(received)
    if bill.amount == 0:
        settled_on = None  # an empty bill is not a paid month
    excess = received - bill.amount if received > bill.amount else Decimal(0)
    bill.paid_amount = received - excess
    bill.settled_on = settled_on
    bill.save(update_fields=["paid_amount", "settled_on"])
    _credit_carry(bill=bill, excess=excess, day=last_day, user=user, depth=_depth)
    return bill


def _credit_carry(*, bill: Bill, excess: Decimal, day, user, depth: int) -> None:
    credit = BillCredit.objects.filter(source_bill=bill).first()
    region = bill.program.owner_region_id
    touched = set()
    if credit is not None and credit.target_bill_id:
        touched.add(credit.target_bill_id)
    if excess <= 0:
        if credit is not None:
            audit_record(user=user, action="delete", instance=credit, region_code=region, changes={})
            credit.delete()
    else:
        target_month = add_months(bill.month, 1)
        target = Bill.objects.filter(program_id=bill.program_id, month=target_month, kind=Bill.Kind.REGULAR).first()
        if credit is None:
            credit = BillCredit.objects.create(
                source_bill=bill,
                program_id=bill.program_id,
                target_month=target_month,
                target_bill=target,
                amount=excess,
                credited_on=day,
            )
            audit_record(
                user=user,
                action="create",
                instance=credit,
                region_code=region,
                changes={k: [None, v] for k, v in snapshot(credit).items()},
            )
        else:
            before = snapshot(credit)
            credit.amount, credit.credited_on, credit.target_bill = excess, day, target
            changed = diff(before, snapshot(credit))
            if changed:
                credit.save(update_fields=["amount", "credited_on", "target_bill"])
                audit_record(user=user, action="update", instance=credit, region_code=region, changes=changed)
        if target is not None:
            touched.add(target.pk)
    # A month's credit can overpay the next month too; the chain ends at the last bill that exists.
    if depth < 240:
        for target in Bill.objects.filter(pk__in=touched):
            bill_settle(bill=target, user=user, _depth=depth + 1)


# --- payments ----------------------------------------------------------------------------------------------------
PAYMENT_FIELDS = ("bill", "paid_on", "amount", "sp2d_number", "kode_rekening", "note")


def _check_payment(payment: Payment, program: Program) -> None:
    if payment.bill.program_id != program.pk:
        raise ValidationError({"bill": _("Tagihan ini bukan milik program ini.")})
    payment.full_clean()


def _after_payment_change(*, bills: set[int], program: Program, user) -> None:
    for bill in Bill.objects.filter(pk__in=bills).select_related("program"):
        bill_settle(bill=bill, user=user)
    program_id = program.pk
    transaction.on_commit(lambda: _enqueue_arrears(program_id))


def _enqueue_arrears(program_id: int) -> None:
    from programs.tasks import arrears_refresh_program

    arrears_refresh_program.delay(program_id)


@transaction.atomic
def payment_create(*, user, program: Program, data: dict) -> Payment:
    """Record an SP2D paying (part of) one of ``program``'s bills; an excess goes to the next month's bill."""
    _require_program_manager(user)
    program = Program.objects.select_for_update().get(pk=program.pk)
    payment = Payment(**{k: v for k, v in data.items() if k in PAYMENT_FIELDS}, created_by=user)
    _check_payment(payment, program)
    payment.save()
    audit_record(
        user=user,
        action="create",
        instance=payment,
        region_code=program.owner_region_id,
        changes={k: [None, v] for k, v in snapshot(payment).items()},
    )
    _after_payment_change(bills={payment.bill_id}, program=program, user=user)
    return payment


@transaction.atomic
def payment_update(*, user, program: Program, payment: Payment, data: dict) -> Payment:
    """Correct a recorded payment; both the old and the new bill are settled again."""
    _require_program_manager(user)
    program = Program.objects.select_for_update().get(pk=program.pk)
    before = snapshot(Payment.objects.get(pk=payment.pk))
    old_bill = int(before["bill_id"])
    for field, value in data.items():
        if field in PAYMENT_FIELDS:
            setattr(payment, field, value)
    _check_payment(payment, program)
    changed = diff(before, snapshot(payment))
    changed.pop("created_at", None)
    if changed:
        payment.save(update_fields=[f.removesuffix("_id") for f in changed])
        audit_record(user=user, action="update", instance=payment, region_code=program.owner_region_id, changes=changed)
        _after_payment_change(bills={old_bill, payment.bill_id}, program=program, user=user)
    return payment


@transaction.atomic
def payment_delete(*, user, program: Program, payment: Payment) -> None:
    """Remove a payment recorded in error (audited with its values); its bill is settled again."""
    _require_program_manager(user)
    program = Program.objects.select_for_update().get(pk=program.pk)
    bill_id = payment.bill_id
    audit_record(
        user=user,
        action="delete",
        instance=payment,
        region_code=program.owner_region_id,
        changes={k: [v, None] for k, v in snapshot(payment).items()},
    )
    payment.delete()
    _after_payment_change(bills={bill_id}, program=program, user=user)


# --- arrears -----------------------------------------------------------------------------------------------------
ARREARS_SQL = f"""
    WITH lines AS (
        SELECT l.enrolment_id, l.month, b.due_date, b.settled_on
          FROM {T_LINE} l JOIN {T_BILL} b ON b.id = l.bill_id
         WHERE b.program_id = %(program)s
    ),
    runs AS (
        SELECT enrolment_id, month,
               count(*) OVER w AS n,
               min(month) OVER w AS first_month,
               max(due_date) OVER w AS last_due,
               min(COALESCE(settled_on, 'infinity'::date)) OVER w AS first_settled
          FROM lines
        WINDOW w AS (PARTITION BY enrolment_id ORDER BY month ROWS BETWEEN %(before)s PRECEDING AND CURRENT ROW)
    ),
    ended AS (
        -- A day D with last_due < D < first_settled and D <= today sees the whole run overdue at once.
        SELECT enrolment_id, min(month) AS nonaktif_from FROM runs
         WHERE n = %(run)s AND first_month = (month - make_interval(months => %(before)s))::date
           AND last_due + 1 < first_settled AND last_due < %(today)s
         GROUP BY enrolment_id
    ),
    due AS (
        SELECT enrolment_id, month, (settled_on IS NOT NULL AND settled_on <= %(today)s) AS paid
          FROM lines WHERE due_date < %(today)s
    ),
    latest AS (SELECT enrolment_id, max(month) AS month FROM due GROUP BY enrolment_id),
    unpaid AS (
        SELECT enrolment_id, month,
               (extract(year FROM month) * 12 + extract(month FROM month))
               - row_number() OVER (PARTITION BY enrolment_id ORDER BY month) AS island
          FROM due WHERE NOT paid
    ),
    current_run AS (
        SELECT u.enrolment_id, count(*) AS months
          FROM unpaid u
          JOIN latest la ON la.enrolment_id = u.enrolment_id
          JOIN unpaid tail ON tail.enrolment_id = la.enrolment_id AND tail.month = la.month
         WHERE u.island = tail.island
         GROUP BY u.enrolment_id
    ),
    status AS (
        SELECT e.id, en.nonaktif_from, COALESCE(c.months, 0) AS months
          FROM {T_ENROLMENT} e
          LEFT JOIN ended en ON en.enrolment_id = e.id
          LEFT JOIN current_run c ON c.enrolment_id = e.id
         WHERE e.program_id = %(program)s
    )
    UPDATE {T_ENROLMENT} e SET nonaktif_from = s.nonaktif_from, arrears_months = LEAST(s.months, 32767)
      FROM status s
     WHERE e.id = s.id
       AND (e.nonaktif_from IS DISTINCT FROM s.nonaktif_from OR e.arrears_months <> LEAST(s.months, 32767))"""


def arrears_refresh(*, program: Program, today: datetime.date | None = None) -> int:
    """Recompute every enrolment's arrears of ``program`` from its bills and payments; returns rows changed.

    BPJS Perdir 22/2022 (domain brief §2): more than ``IURAN_ARREARS_NONAKTIF_AFTER`` consecutive overdue months
    end the membership; see the module docstring for how partly paid bills count. Set-based, one statement.
    """
    today = today or timezone.localdate()
    threshold = arrears_threshold()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{JOB_WORK_MEM}'")
        cursor.execute(ARREARS_SQL, {"program": program.pk, "run": threshold + 1, "before": threshold, "today": today})
        return cursor.rowcount


def enrolment_arrears_status(enrolment) -> str:
    """``aktif``, ``menunggak`` or ``nonaktif`` now, from the maintained columns."""
    today = month_start(timezone.localdate())
    if enrolment.nonaktif_from is not None and enrolment.nonaktif_from <= today:
        return "nonaktif"
    return "menunggak" if enrolment.arrears_months else "aktif"


# Up to this many enrolments the page's button bills at once (about a second); larger programs go to the worker.
BILL_SYNC_MAX_ENROLMENTS = 50_000


def bill_generate_request(*, user, program: Program, month: datetime.date) -> BillResult | None:
    """Bill ``program`` for ``month`` now when it is small, else queue it; None when queued.

    A province program of a million enrolments takes longer than a web request may.
    """
    _require_program_manager(user)
    month = month_start(month)
    if program.enrolments.count() <= BILL_SYNC_MAX_ENROLMENTS:
        return bill_generate_then_arrears(program=program, month=month, user=user)
    program_id, user_id, iso = program.pk, user.pk, month.isoformat()

    def enqueue():
        from programs.tasks import bill_generate_program

        bill_generate_program.delay(program_id, iso, user_id)

    transaction.on_commit(enqueue)
    return None


@transaction.atomic
def enrolment_reactivate(*, user, enrolment, start_month: datetime.date):
    """Start a new membership period for a participant whose enrolment arrears ended (BPJS: reactivation is a new
    payment on the NIK with a new start date, domain brief §2).

    The ended enrolment is closed the month before ``start_month`` (one payer per NIK per month stays true) and a
    new enrolment of the same program and funding source starts then; its arrears start from nothing.
    """
    _require_program_manager(user)
    old = ENROLMENT.objects.select_for_update().get(pk=enrolment.pk)
    start_month = month_start(start_month)
    if old.nonaktif_from is None:
        raise ValidationError(_("Kepesertaan ini tidak nonaktif karena tunggakan; tidak perlu diaktifkan kembali."))
    if start_month <= old.nonaktif_from:
        raise ValidationError(_("Bulan mulai kepesertaan baru harus sesudah bulan kepesertaan menjadi nonaktif."))
    region = old.program.owner_region_id
    before = snapshot(old)
    old.end_month = max(add_months(start_month, -1), old.start_month)
    old.save(update_fields=["end_month"])
    audit_record(user=user, action="update", instance=old, region_code=region, changes=diff(before, snapshot(old)))
    new = ENROLMENT(
        participant_id=old.participant_id,
        program_id=old.program_id,
        funding_source=old.funding_source,
        start_month=start_month,
        created_by=user,
    )
    new.full_clean()
    new.save()
    audit_record(
        user=user,
        action="create",
        instance=new,
        region_code=region,
        changes={k: [None, v] for k, v in snapshot(new).items()},
        reason=_("Aktif kembali setelah nonaktif karena tunggakan"),
    )
    return new
