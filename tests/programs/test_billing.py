"""Monthly iuran bills: set-based SQL priced exactly like ``enrolment_iuran_for_month``, idempotent, corrections."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from participants.models import Enrolment
from programs.billing import bill_generate, bills_generate_month
from programs.models import Bill, BillLine, BillPrice, FundingSource, Holiday, Occupation, Program
from programs.rates import RateBook, enrolment_iuran_for_month
from rentan.models import AuditEvent
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory

pytestmark = pytest.mark.usefixtures("postgres", "regions")

FULL = Decimal("16800")
HALF = Decimal("8400")
D = datetime.date


def enrol(program: Program, pekerjaan: str, n: int = 1, **fields) -> list[Enrolment]:
    occupation = Occupation.objects.get(code=pekerjaan)
    return [
        EnrolmentFactory(participant=ParticipantFactory(pekerjaan=occupation), program=program, **fields)
        for _ in range(n)
    ]


def line_amounts(bill: Bill) -> dict[int, Decimal]:
    return dict(bill.lines.values_list("enrolment_id", "amount"))


@pytest.fixture
def world():
    """APBD, APBDes and CSR programs, transport and other workers, one transport program, one JHT package."""
    programs = {
        "apbd": ProgramFactory(funding_source=FundingSource.SG),
        "apbdes": ProgramFactory(funding_source=FundingSource.SD, owner_region_id="17.71.05.1001"),
        "csr": ProgramFactory(funding_source=FundingSource.SC),
        "csr_transport": ProgramFactory(funding_source=FundingSource.SB, is_transport=True),
        "jht": ProgramFactory(
            funding_source=FundingSource.SC, package=Program.Package.JKK_JKM_JHT, income_bracket=Decimal("1500000")
        ),
    }
    for program in programs.values():
        enrol(program, "ojek", 2)
        enrol(program, "petani", 2)
        enrol(program, "nelayan", 1)
    # An enrolment paid from a funding source other than its program's (a desa co-funding a CSR program).
    enrol(programs["csr"], "petani", 1, funding_source=FundingSource.SG)
    return programs


@pytest.mark.parametrize("month", [D(2026, 1, 1), D(2026, 2, 1), D(2026, 5, 1), D(2027, 4, 1)])
def test_bill_lines_price_every_enrolment_exactly_like_the_rate_function(world, month):
    book = RateBook.load()
    for program in world.values():
        result = bill_generate(program=program, month=month)
        enrolments = Enrolment.objects.filter(program=program).select_related("participant__pekerjaan", "program")
        expected = {e.pk: enrolment_iuran_for_month(enrolment=e, month=month, rates=book).total for e in enrolments}

        assert line_amounts(result.bill) == expected
        assert result.bill.amount == sum(expected.values())
        assert result.bill.jiwa == len(expected)


def test_each_line_carries_the_rule_and_the_rate_rows_that_priced_it(world):
    bill = bill_generate(program=world["csr"], month=D(2026, 2, 1)).bill
    transport = BillPrice.objects.get(bill=bill, is_transport=True, funding_source="SC")

    assert transport.amount == HALF and transport.discount_amount == HALF and transport.gross == FULL
    assert transport.jkk_rate.component == "JKK" and transport.jkm_rate.component == "JKM"
    assert transport.jht_rate is None
    assert "PP 50/2025" in transport.rule and "PP 44/2015" in transport.rule
    assert transport.discount.sector == "TRANSPORT"
    may = bill_generate(program=world["csr"], month=D(2026, 5, 1)).bill
    apbd_paid = BillPrice.objects.get(bill=may, is_transport=False, funding_source="SG")
    assert apbd_paid.amount == FULL and apbd_paid.discount is None and "APBN/APBD" in apbd_paid.note


def test_the_issue_figures_on_bills(world):
    feb = bill_generate(program=world["csr"], month=D(2026, 2, 1)).bill
    may = bill_generate(program=world["csr"], month=D(2026, 5, 1)).bill
    apbd_feb = bill_generate(program=world["apbd"], month=D(2026, 2, 1)).bill

    def amount(bill, pekerjaan, funding="SC"):
        return set(
            bill.lines.filter(
                enrolment__participant__pekerjaan__code=pekerjaan, enrolment__funding_source=funding
            ).values_list("amount", flat=True)
        )

    assert amount(feb, "ojek") == {HALF}  # CSR ojol, February 2026: Rp8.400
    assert amount(apbd_feb, "ojek", "SG") == {FULL}  # APBD ojol: Rp16.800
    assert amount(feb, "petani") == {FULL}  # CSR petani, February 2026: Rp16.800
    assert amount(may, "petani") == {HALF}  # CSR petani, May 2026: Rp8.400


def test_ppu_15000_jiwa_for_a_year_bill_the_published_rp3_024_000_000():
    program = ProgramFactory(funding_source=FundingSource.SG, start_month=D(2025, 1, 1))
    occupation = Occupation.objects.get(code="petani")
    participants = ParticipantFactory.build_batch(15_000, pekerjaan=occupation)
    for serial, participant in enumerate(participants):
        participant.nik = f"1771051506{serial // 10000 + 85:02d}{serial % 10000:04d}"
    ParticipantFactory._meta.model.objects.bulk_create(participants)
    Enrolment.objects.bulk_create(
        Enrolment(participant=p, program=program, funding_source="SG", start_month=D(2025, 1, 1)) for p in participants
    )

    bills = [bill_generate(program=program, month=D(2025, m, 1)).bill for m in range(1, 13)]

    assert sum(bill.amount for bill in bills) == Decimal("3024000000")
    assert {bill.jiwa for bill in bills} == {15_000}


def test_generating_a_month_twice_changes_nothing(world):
    program = world["csr"]
    first = bill_generate(program=program, month=D(2026, 5, 1))
    before = list(BillLine.objects.order_by("pk").values_list("pk", "bill_id", "enrolment_id", "month", "amount"))
    bills_before = list(Bill.objects.order_by("pk").values())

    second = bill_generate(program=program, month=D(2026, 5, 1))

    assert first.created and first.lines == 6
    assert not second.created and second.lines == 0
    assert list(BillLine.objects.order_by("pk").values_list("pk", "bill_id", "enrolment_id", "month", "amount")) == (
        before
    )
    assert list(Bill.objects.order_by("pk").values()) == bills_before


def test_a_late_enrolment_is_billed_on_a_correction_linked_to_the_regular_bill(world):
    program = world["csr"]
    regular = bill_generate(program=program, month=D(2026, 5, 1)).bill
    (late,) = enrol(program, "ojek", 1)

    correction = bill_generate(program=program, month=D(2026, 5, 1)).bill
    again = bill_generate(program=program, month=D(2026, 5, 1))

    assert correction.kind == Bill.Kind.CORRECTION and correction.corrects == regular
    assert line_amounts(correction) == {late.pk: HALF}
    assert correction.amount == HALF and correction.jiwa == 1
    assert not again.created
    assert BillLine.objects.filter(enrolment=late, month=D(2026, 5, 1)).count() == 1
    assert Bill.objects.filter(program=program, month=D(2026, 5, 1)).count() == 2


def test_the_database_refuses_a_second_line_for_one_enrolment_and_month(world):
    bill = bill_generate(program=world["apbd"], month=D(2026, 1, 1)).bill
    line = bill.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        BillLine.objects.create(bill=bill, enrolment=line.enrolment, month=line.month, price=line.price, amount=0)


def test_the_database_refuses_a_second_regular_bill_for_a_program_month(world):
    bill = bill_generate(program=world["apbd"], month=D(2026, 1, 1)).bill
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.create(program=bill.program, month=bill.month, due_date=bill.due_date)


def test_enrolments_outside_the_month_are_not_billed():
    program = ProgramFactory()
    (ended,) = enrol(program, "petani", 1, start_month=D(2025, 1, 1), end_month=D(2026, 1, 1))
    (later,) = enrol(program, "petani", 1, start_month=D(2026, 3, 1))
    (now,) = enrol(program, "petani", 1, start_month=D(2026, 2, 1))

    bill = bill_generate(program=program, month=D(2026, 2, 1)).bill

    assert set(line_amounts(bill)) == {now.pk}
    assert ended.pk and later.pk


def test_the_bill_is_due_on_the_15th_or_the_next_working_day(world):
    # 15 March 2026 is a Sunday; make Monday 16 a holiday too: due Tuesday 17 March.
    Holiday.objects.update_or_create(
        date=D(2026, 3, 16), defaults={"name": "Libur uji", "kind": "libur_nasional", "source": "uji"}
    )
    march = bill_generate(program=world["apbd"], month=D(2026, 3, 1)).bill
    june = bill_generate(program=world["apbd"], month=D(2026, 6, 1)).bill

    assert march.due_date == D(2026, 3, 17)
    assert june.due_date == D(2026, 6, 15)  # a Monday


def test_generation_is_audited(world):
    bill = bill_generate(program=world["apbd"], month=D(2026, 1, 1)).bill
    assert AuditEvent.objects.filter(object_type="programs.Bill", object_id=str(bill.pk), action="create").exists()


def test_the_command_and_the_month_job_bill_running_programs_only(world, capsys):
    Program.objects.filter(pk=world["jht"].pk).update(end_month=D(2025, 12, 1))

    call_command("generate_bills", "--month", "2026-02")
    out = capsys.readouterr().out
    results = bills_generate_month(month=D(2026, 2, 1))

    assert Bill.objects.filter(month=D(2026, 2, 1)).count() == 4
    assert not Bill.objects.filter(program=world["jht"]).exists()
    assert not any(r.created for r in results)
    assert "Rp" in out


def test_the_command_bills_one_program(world, capsys):
    call_command("generate_bills", "--month", "2026-05", "--program", str(world["csr"].pk))
    assert list(Bill.objects.values_list("program_id", flat=True)) == [world["csr"].pk]


def test_the_daily_beat_task_bills_the_current_month_once(world, settings):
    from django.utils import timezone

    from programs.tasks import bills_generate_current_month

    assert settings.CELERY_BEAT_SCHEDULE["bills-daily"]["task"] == "programs.tasks.bills_generate_current_month"
    month = timezone.localdate().replace(day=1)

    assert bills_generate_current_month() == len(world)
    assert bills_generate_current_month() == 0
    assert Bill.objects.filter(month=month, kind=Bill.Kind.REGULAR).count() == len(world)
