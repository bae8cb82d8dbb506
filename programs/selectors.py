from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from programs.models import Bill, BillCredit, Budget, Payment, Program, Region
from rentan.access import region_code_in_scope, region_q


def region_get_for_user(*, user, code: str) -> Region:
    """A region the user may see; a region outside their scope answers exactly like a missing one."""
    region = Region.objects.for_user(user).select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404
    return region


def region_roots_for_user(*, user):
    """Where a user's region browser starts: their own region(s), or the provinces for administrators."""
    codes = user.scope_region_codes()
    regions = (
        Region.objects.filter(level=Region.Level.PROVINSI) if codes is None else Region.objects.filter(code__in=codes)
    )
    return regions.order_by("code")


def region_children_for_user(*, user, region: Region):
    return (
        Region.objects.for_user(user)
        .filter(parent=region)
        .annotate(program_count=Count("programs", distinct=True))
        .order_by("code")
    )


def region_breadcrumb_for_user(*, user, region: Region) -> list[Region]:
    """The visible regions above this one, top first (a kab/kota operator does not see the province page)."""
    codes = region.ancestor_codes()
    return list(Region.objects.for_user(user).filter(code__in=codes).order_by("code"))


def program_list_for_user(*, user, search: str = "", region: Region | None = None):
    programs = Program.objects.for_user(user).select_related("owner_region")
    if region is not None:
        programs = programs.filter(owner_region=region)
    if search:
        programs = programs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return programs.order_by("owner_region_id", "name")


def program_get_for_user(*, user, code: str, writable: bool = False) -> Program:
    """A program the user may see; with ``writable``, one owned inside their scope (not a province program a
    kab/kota operator only reads). Anything else answers like a missing program."""
    programs = (
        Program.objects.filter(region_q(user, "owner_region__code")) if writable else program_list_for_user(user=user)
    )
    program = programs.select_related("owner_region").filter(code=code).first()
    if program is None:
        raise Http404
    return program


# --- bills, payments, realisation ----------------------------------------------------------------------------------
def program_pagu(programs, year: int) -> dict[int, Decimal]:
    """The pagu in force per program for fiscal year ``year``: the latest revision (APBD-P after murni), i.e. the
    latest ``decided_on``, then the latest row; one query for all of ``programs`` (a Program queryset or a list of
    programs or ids). Programs without a budget that year have no entry."""
    latest: dict[int, Decimal] = {}
    for program_id, amount in (
        Budget.objects.filter(program__in=programs, fiscal_year=year)
        .order_by("program_id", "decided_on", "pk")
        .values_list("program_id", "amount")
    ):
        latest[program_id] = amount  # ordered ascending: the last one seen is the one in force
    return latest


def program_realisation(programs, year: int) -> dict[int, Decimal]:
    """Iuran paid per program in fiscal year ``year`` (SP2D dated that year), summed by the database.

    ``programs`` is any Program queryset (already scoped by the caller); every program in it gets an entry,
    ``Decimal(0)`` when nothing was paid. Overpayments count where the money was paid: realisasi is cash spent.
    """
    paid = Sum("bills__payments__amount", filter=Q(bills__payments__paid_on__year=year))
    rows = (
        Program.objects.filter(pk__in=programs.values("pk"))
        .order_by()
        .annotate(paid=Coalesce(paid, Value(Decimal(0)), output_field=DecimalField(max_digits=18, decimal_places=2)))
        .values_list("pk", "paid")
    )
    return dict(rows)


def program_bills(*, program: Program):
    """The program's bills, newest month first, corrections after their regular bill."""
    return program.bills.order_by("-month", "kind", "pk")


def bill_get_for_program(*, program: Program, pk: int) -> Bill:
    bill = program.bills.filter(pk=pk).first()
    if bill is None:
        raise Http404
    return bill


def bill_lines_for_user(*, user, bill: Bill):
    """A bill's lines of the participants the user may see (a province bill also lists other kab/kota's people)."""
    return (
        bill.lines.filter(region_q(user, "enrolment__participant__desa__code"))
        .select_related("enrolment__participant", "price")
        .order_by("enrolment__participant__nama", "pk")
    )


def program_payments(*, program: Program):
    return Payment.objects.filter(bill__program=program).select_related("bill").order_by("-paid_on", "-pk")


def program_payments_for_user(*, user, program: Program, bill: Bill | None = None):
    """The SP2D of a program, for users whose region holds it (its own finance records); readers of a program of a
    region above theirs (a desa operator on the kab/kota program) see the bills' totals, not the payer's SP2D."""
    if not region_code_in_scope(user, program.owner_region_id):
        return Payment.objects.none()
    payments = program_payments(program=program)
    return payments.filter(bill=bill) if bill is not None else payments


def payment_get_for_program(*, program: Program, pk: int) -> Payment:
    payment = program_payments(program=program).filter(pk=pk).first()
    if payment is None:
        raise Http404
    return payment


def program_credits(*, program: Program):
    return BillCredit.objects.filter(program=program).select_related("source_bill", "target_bill")


def program_enrolled_jiwa(*, program: Program, month) -> int:
    """Enrolments of the program covering ``month`` (protected or not)."""
    return program.enrolments.active_in(month).count()


def program_arrears_summary(*, program: Program, month) -> dict:
    """How many of the program's enrolments covering ``month`` are aktif, menunggak 1/2/3+ months, nonaktif."""
    enrolments = program.enrolments.active_in(month)
    nonaktif = Q(nonaktif_from__isnull=False, nonaktif_from__lte=month)
    counts = enrolments.aggregate(
        nonaktif=Count("pk", filter=nonaktif),
        one=Count("pk", filter=~nonaktif & Q(arrears_months=1)),
        two=Count("pk", filter=~nonaktif & Q(arrears_months=2)),
        more=Count("pk", filter=~nonaktif & Q(arrears_months__gte=3)),
    )
    return counts


def program_arrears_list_for_user(*, user, program: Program):
    """The program's enrolments in arrears or ended by arrears whose participant the user may see, ended first."""
    return (
        program.enrolments.filter(Q(arrears_months__gt=0) | Q(nonaktif_from__isnull=False))
        .filter(region_q(user, "participant__desa__code"))
        .select_related("participant")
        .order_by(F("nonaktif_from").asc(nulls_last=True), "-arrears_months", "participant__nama", "pk")
    )
