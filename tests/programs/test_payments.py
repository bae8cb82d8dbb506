"""Payments against bills: partial payments, overpayment credited to the next month, audit, realisation."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programs import billing
from programs.models import Bill, BillCredit, Budget, FundingSource, Payment, Program
from programs.selectors import program_realisation
from rentan.models import AuditEvent
from tests.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.usefixtures("postgres", "regions")

D = datetime.date


@pytest.fixture
def program():
    """A Kota Bengkulu APBD program of 10 jiwa: Rp168.000 a month."""
    program = ProgramFactory(funding_source=FundingSource.SG, owner_region_id="17.71")
    for _ in range(10):
        EnrolmentFactory(program=program, start_month=D(2025, 1, 1))
    return program


def bill_of(program: Program, month: datetime.date) -> Bill:
    return billing.bill_generate(program=program, month=month).bill


def pay(user, program, bill, amount, day, sp2d="SP2D-001"):
    return billing.payment_create(
        user=user,
        program=program,
        data={
            "bill": bill,
            "paid_on": day,
            "amount": Decimal(amount),
            "sp2d_number": sp2d,
            "kode_rekening": "5.1.02.01.01.0001",
        },
    )


def test_a_partial_payment_leaves_the_bill_unsettled_and_the_rest_settles_it(program, disnaker_kota_bengkulu):
    bill = bill_of(program, D(2025, 3, 1))
    assert bill.amount == Decimal("168000")

    pay(disnaker_kota_bengkulu, program, bill, "100000", D(2025, 3, 10))
    bill.refresh_from_db()
    assert bill.paid_amount == Decimal("100000") and bill.settled_on is None and bill.outstanding == Decimal("68000")

    pay(disnaker_kota_bengkulu, program, bill, "68000", D(2025, 3, 20), sp2d="SP2D-002")
    bill.refresh_from_db()
    assert bill.paid_amount == Decimal("168000") and bill.settled_on == D(2025, 3, 20)


def test_an_overpayment_is_credited_to_the_next_months_bill_explicitly(program, disnaker_kota_bengkulu):
    march = bill_of(program, D(2025, 3, 1))
    pay(disnaker_kota_bengkulu, program, march, "200000", D(2025, 3, 10))

    credit = BillCredit.objects.get(source_bill=march)
    assert credit.amount == Decimal("32000") and credit.target_month == D(2025, 4, 1) and credit.target_bill is None
    march.refresh_from_db()
    assert march.paid_amount == Decimal("168000") and march.settled_on == D(2025, 3, 10)

    # The April bill picks the waiting credit up when it is made.
    april = bill_of(program, D(2025, 4, 1))
    april.refresh_from_db()
    credit.refresh_from_db()
    assert credit.target_bill == april
    assert april.paid_amount == Decimal("32000") and april.settled_on is None

    pay(disnaker_kota_bengkulu, program, april, "136000", D(2025, 4, 12), sp2d="SP2D-002")
    april.refresh_from_db()
    assert april.settled_on == D(2025, 4, 12)
    assert AuditEvent.objects.filter(object_type="programs.BillCredit", action="create").count() == 1


def test_correcting_a_payment_moves_the_credit_and_deleting_it_removes_it(program, disnaker_kota_bengkulu):
    march = bill_of(program, D(2025, 3, 1))
    april = bill_of(program, D(2025, 4, 1))
    payment = pay(disnaker_kota_bengkulu, program, march, "200000", D(2025, 3, 10))
    assert BillCredit.objects.get(source_bill=march).target_bill == april

    billing.payment_update(
        user=disnaker_kota_bengkulu, program=program, payment=payment, data={"amount": Decimal("170000")}
    )
    assert BillCredit.objects.get(source_bill=march).amount == Decimal("2000")
    april.refresh_from_db()
    assert april.paid_amount == Decimal("2000")

    billing.payment_delete(user=disnaker_kota_bengkulu, program=program, payment=payment)
    march.refresh_from_db()
    april.refresh_from_db()
    assert not BillCredit.objects.exists() and not Payment.objects.exists()
    assert march.paid_amount == 0 and march.settled_on is None and april.paid_amount == 0
    actions = set(AuditEvent.objects.filter(object_type="programs.Payment").values_list("action", flat=True))
    assert actions == {"create", "update", "delete"}
    assert set(AuditEvent.objects.filter(object_type="programs.BillCredit").values_list("action", flat=True)) == {
        "create",
        "update",
        "delete",
    }


def test_a_payment_needs_a_well_formed_kode_rekening_and_a_bill_of_the_same_program(program, disnaker_kota_bengkulu):
    bill = bill_of(program, D(2025, 3, 1))
    other = ProgramFactory(owner_region_id="17.71")
    EnrolmentFactory(program=other)
    other_bill = bill_of(other, D(2025, 3, 1))
    data = {"bill": bill, "paid_on": D(2025, 3, 1), "amount": Decimal(1), "sp2d_number": "X"}

    with pytest.raises(ValidationError) as error:
        billing.payment_create(user=disnaker_kota_bengkulu, program=program, data={**data, "kode_rekening": "5-1-02"})
    assert "kode_rekening" in error.value.message_dict
    with pytest.raises(ValidationError):
        billing.payment_create(
            user=disnaker_kota_bengkulu,
            program=program,
            data={**data, "bill": other_bill, "kode_rekening": "5.1.02"},
        )
    assert not Payment.objects.exists()


@pytest.mark.parametrize("persona", ["sekda", "bpjs_cabang"])
def test_read_only_roles_cannot_record_payments(program, request, persona):
    bill = bill_of(program, D(2025, 3, 1))
    with pytest.raises(PermissionDenied):
        pay(request.getfixturevalue(persona), program, bill, "1000", D(2025, 3, 1))


def test_realisation_sums_the_payments_of_the_fiscal_year_in_the_database(program, disnaker_kota_bengkulu):
    Budget.objects.create(program=program, fiscal_year=2025, amount=Decimal("2016000"), decided_on=D(2025, 1, 2))
    idle = ProgramFactory(owner_region_id="17.71")
    december = bill_of(program, D(2025, 12, 1))
    january = bill_of(program, D(2026, 1, 1))
    pay(disnaker_kota_bengkulu, program, december, "168000", D(2025, 12, 12))
    pay(disnaker_kota_bengkulu, program, december, "10000", D(2025, 12, 20), sp2d="SP2D-2")  # overpaid
    pay(disnaker_kota_bengkulu, program, january, "168000", D(2026, 1, 15), sp2d="SP2D-3")

    realisation = program_realisation(Program.objects.filter(pk__in=[program.pk, idle.pk]), 2025)

    assert realisation == {program.pk: Decimal("178000"), idle.pk: Decimal("0")}
    assert all(isinstance(v, Decimal) for v in realisation.values())
    assert program_realisation(Program.objects.filter(pk=program.pk), 2026) == {program.pk: Decimal("168000")}
