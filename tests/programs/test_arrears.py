"""Arrears: aktif → menunggak (1, 2, 3 bulan) → nonaktif after more than the threshold; catch-up; reactivation.

Plugged into the one definition of "active": claims (``participant_active_on``, ``masa_iur_months``) and coverage
(``enrolment_active_sql``).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from claims.eligibility import masa_iur_months, participant_active_on
from monitoring.coverage import enrolment_active_sql
from participants.models import Enrolment
from programs import billing
from programs.models import Bill, FundingSource
from tests.factories import EnrolmentFactory, ProgramFactory

pytestmark = pytest.mark.usefixtures("postgres", "regions")

D = datetime.date


@pytest.fixture
def enrolment():
    program = ProgramFactory(funding_source=FundingSource.SG, owner_region_id="17.71", start_month=D(2025, 1, 1))
    return EnrolmentFactory(program=program, start_month=D(2025, 1, 1))


def bills(enrolment, *months) -> dict[int, Bill]:
    return {m: billing.bill_generate(program=enrolment.program, month=D(2025, m, 1)).bill for m in months}


def pay(user, bill, day, amount=None):
    billing.payment_create(
        user=user,
        program=bill.program,
        data={
            "bill": bill,
            "paid_on": day,
            "amount": amount or bill.amount,
            "sp2d_number": f"SP2D-{bill.month:%m}-{day:%d}",
            "kode_rekening": "5.1.02.01",
        },
    )


def refresh(enrolment, today) -> Enrolment:
    billing.arrears_refresh(program=enrolment.program, today=today)
    return Enrolment.objects.get(pk=enrolment.pk)


def active_in_coverage(enrolment, month) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM participants_enrolment e WHERE e.id = %(id)s AND {enrolment_active_sql('e')}",  # noqa: S608
            {"id": enrolment.pk, "month": month},
        )
        return cursor.fetchone()[0] == 1


def test_a_participant_unpaid_for_4_consecutive_months_is_nonaktif(enrolment):
    bills(enrolment, 1, 2, 3, 4)

    enrolment = refresh(enrolment, today=D(2025, 4, 20))  # April's due date (15th) has passed

    assert enrolment.nonaktif_from == D(2025, 4, 1)
    assert participant_active_on(enrolment.participant, D(2025, 4, 20)) is None
    assert participant_active_on(enrolment.participant, D(2025, 3, 20)) == enrolment
    assert not active_in_coverage(enrolment, D(2025, 4, 1))
    assert not active_in_coverage(enrolment, D(2025, 5, 1))
    assert active_in_coverage(enrolment, D(2025, 3, 1))


def test_three_unpaid_months_are_menunggak_and_still_eligible(enrolment):
    bills(enrolment, 1, 2, 3, 4)

    enrolment = refresh(enrolment, today=D(2025, 4, 10))  # April not due yet

    assert enrolment.nonaktif_from is None and enrolment.arrears_months == 3
    assert billing.enrolment_arrears_status(enrolment) == "menunggak"
    assert participant_active_on(enrolment.participant, D(2025, 4, 10)) == enrolment
    assert active_in_coverage(enrolment, D(2025, 4, 1))


@pytest.mark.parametrize(("today", "months"), [(D(2025, 1, 15), 0), (D(2025, 1, 16), 1), (D(2025, 2, 18), 2)])
def test_months_count_as_unpaid_only_after_their_due_date(enrolment, today, months):
    bills(enrolment, 1, 2)  # due 15 January (Wednesday) and 17 February (15th is a Saturday)
    assert refresh(enrolment, today=today).arrears_months == months


def test_paying_back_inside_the_window_makes_the_participant_aktif_again(enrolment, disnaker_kota_bengkulu):
    issued = bills(enrolment, 1, 2, 3, 4)
    pay(disnaker_kota_bengkulu, issued[1], D(2025, 4, 10))  # before April fell due: the run stays at 3

    enrolment = refresh(enrolment, today=D(2025, 4, 20))
    assert enrolment.nonaktif_from is None and enrolment.arrears_months == 3

    for month in (2, 3, 4):
        pay(disnaker_kota_bengkulu, issued[month], D(2025, 4, 25))
    enrolment = refresh(enrolment, today=D(2025, 4, 26))
    assert enrolment.nonaktif_from is None and enrolment.arrears_months == 0
    assert billing.enrolment_arrears_status(enrolment) == "aktif"
    assert participant_active_on(enrolment.participant, D(2025, 4, 26)) == enrolment


def test_paying_after_the_window_closed_does_not_restore_the_membership(enrolment, disnaker_kota_bengkulu):
    issued = bills(enrolment, 1, 2, 3, 4)
    for month in (1, 2, 3, 4):
        pay(disnaker_kota_bengkulu, issued[month], D(2025, 4, 25))

    assert refresh(enrolment, today=D(2025, 4, 26)).nonaktif_from == D(2025, 4, 1)


def test_a_backdated_payment_entered_late_counts_on_its_date(enrolment, disnaker_kota_bengkulu):
    issued = bills(enrolment, 1, 2, 3, 4)
    assert refresh(enrolment, today=D(2025, 4, 20)).nonaktif_from == D(2025, 4, 1)

    pay(disnaker_kota_bengkulu, issued[1], D(2025, 4, 14))  # the SP2D was paid before April fell due

    assert refresh(enrolment, today=D(2025, 4, 20)).nonaktif_from is None


def test_a_partly_paid_bill_leaves_its_month_unpaid(enrolment, disnaker_kota_bengkulu):
    issued = bills(enrolment, 1, 2, 3, 4)
    pay(disnaker_kota_bengkulu, issued[1], D(2025, 1, 10), amount=Decimal("10000"))

    assert refresh(enrolment, today=D(2025, 4, 20)).nonaktif_from == D(2025, 4, 1)


def test_the_threshold_is_a_setting(enrolment, settings):
    settings.IURAN_ARREARS_NONAKTIF_AFTER = 2
    bills(enrolment, 1, 2, 3)

    assert refresh(enrolment, today=D(2025, 3, 20)).nonaktif_from == D(2025, 3, 1)


def test_no_bills_are_made_after_the_membership_ended(enrolment):
    bills(enrolment, 1, 2, 3, 4)
    refresh(enrolment, today=D(2025, 4, 20))

    may = billing.bill_generate(program=enrolment.program, month=D(2025, 5, 1))

    assert not may.created


def test_reactivation_starts_a_new_period(enrolment, disnaker_kota_bengkulu):
    bills(enrolment, 1, 2, 3, 4)
    enrolment = refresh(enrolment, today=D(2025, 4, 20))

    new = billing.enrolment_reactivate(user=disnaker_kota_bengkulu, enrolment=enrolment, start_month=D(2025, 6, 1))

    enrolment.refresh_from_db()
    assert enrolment.end_month == D(2025, 5, 1)
    assert new.start_month == D(2025, 6, 1) and new.nonaktif_from is None
    assert participant_active_on(enrolment.participant, D(2025, 6, 3)) == new
    assert participant_active_on(enrolment.participant, D(2025, 5, 3)) is None
    june = billing.bill_generate(program=enrolment.program, month=D(2025, 6, 1)).bill
    assert set(june.lines.values_list("enrolment_id", flat=True)) == {new.pk}
    with pytest.raises(ValidationError):
        billing.enrolment_reactivate(user=disnaker_kota_bengkulu, enrolment=new, start_month=D(2025, 8, 1))


def test_masa_iur_counts_paid_months_from_the_payment_history(enrolment, disnaker_kota_bengkulu):
    Enrolment.objects.filter(pk=enrolment.pk).update(start_month=D(2024, 7, 1))  # 6 months before the portal billed
    issued = bills(enrolment, 1, 2, 3, 4, 5, 6)
    for month in (1, 2, 3):
        pay(disnaker_kota_bengkulu, issued[month], D(2025, month, 10))
    pay(disnaker_kota_bengkulu, issued[4], D(2025, 4, 10), amount=Decimal("100"))  # partly

    assert masa_iur_months(enrolment.participant, D(2025, 6, 30)) == 6 + 3
    pay(disnaker_kota_bengkulu, issued[5], D(2025, 7, 1))
    assert masa_iur_months(enrolment.participant, D(2025, 6, 30)) == 6 + 3  # paid after the date asked about
    assert masa_iur_months(enrolment.participant, D(2025, 7, 1)) == 6 + 4  # July is not billed (yet): not paid


def test_the_daily_task_refreshes_arrears(enrolment):
    from programs.tasks import arrears_refresh_program

    bills(enrolment, 1, 2, 3, 4)
    arrears_refresh_program(enrolment.program_id)

    assert Enrolment.objects.get(pk=enrolment.pk).nonaktif_from == D(2025, 4, 1)
