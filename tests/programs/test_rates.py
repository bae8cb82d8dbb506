"""The monthly iuran function against the rules of domain brief §2 and the issue's correctness checks."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import (
    FundingSource,
    IuranDiscount,
    IuranDiscountFunding,
    IuranRate,
    Occupation,
    Program,
)
from programs.rates import (
    DISCOUNT_LINE,
    IuranRuleError,
    RateBook,
    enrolment_iuran_for_month,
    iuran_for_month,
)
from rentan.formatting import round_rupiah
from tests.factories import EnrolmentFactory, ParticipantFactory, ProgramFactory

FULL = Decimal("16800")
HALF = Decimal("8400")


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def months(first: datetime.date, last: datetime.date):
    current = first
    while current <= last:
        yield current
        current = month(current.year + current.month // 12, current.month % 12 + 1)


def program_paid_by(funding_source, **extra) -> Program:
    """An unsaved program: the rate function needs only its package, bracket and funding source."""
    return Program(funding_source=funding_source, **extra)


@pytest.fixture
def enrol(regions):
    def make(*, pekerjaan: str, funding_source: str, **program_fields):
        program = ProgramFactory(funding_source=funding_source, **program_fields)
        participant = ParticipantFactory(pekerjaan=Occupation.objects.get(code=pekerjaan))
        return EnrolmentFactory(participant=participant, program=program)

    return make


# The correctness checks


@pytest.mark.django_db
def test_ppu_15000_jiwa_for_a_year_costs_the_published_rp3_024_000_000():
    program = program_paid_by(FundingSource.SG)
    book = RateBook.load()
    monthly = [
        iuran_for_month(program=program, is_transport=False, month=m, rates=book).total
        for m in months(month(2025, 1), month(2025, 12))
    ]

    assert monthly == [FULL] * 12
    assert 15_000 * sum(monthly) == Decimal("3024000000")


def test_a_csr_funded_ojol_participant_pays_rp8_400_in_february_2026(enrol):
    enrolment = enrol(pekerjaan="ojek", funding_source=FundingSource.SC)

    assert enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 2)).total == HALF


def test_an_apbd_funded_ojol_participant_pays_rp16_800_in_february_2026(enrol):
    enrolment = enrol(pekerjaan="ojek", funding_source=FundingSource.SG)

    quote = enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 2))

    assert quote.total == FULL
    assert any("APBN/APBD" in note for note in quote.notes)


def test_a_csr_funded_petani_pays_full_in_february_and_half_in_may_2026(enrol):
    enrolment = enrol(pekerjaan="petani", funding_source=FundingSource.SC)

    assert enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 2)).total == FULL
    assert enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 5)).total == HALF


@pytest.mark.django_db
@pytest.mark.parametrize("funding_source", [FundingSource.SG, FundingSource.SA])
@pytest.mark.parametrize("is_transport", [True, False])
def test_apbd_paid_iuran_is_never_discounted_in_any_month(funding_source, is_transport):
    program = program_paid_by(funding_source)
    book = RateBook.load()

    for m in months(month(2025, 1), month(2028, 12)):
        assert iuran_for_month(program=program, is_transport=is_transport, month=m, rates=book).total == FULL, m


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iuran_month", "expected"),
    [
        (month(2025, 12), FULL),
        (month(2026, 1), HALF),
        (month(2026, 12), HALF),
        (month(2027, 3), HALF),
        (month(2027, 4), FULL),
    ],
)
def test_the_transport_discount_covers_iuran_months_january_2026_to_march_2027(iuran_month, expected):
    program = program_paid_by(FundingSource.SC)

    assert iuran_for_month(program=program, is_transport=True, month=iuran_month).total == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iuran_month", "expected"),
    [
        (month(2026, 1), FULL),
        (month(2026, 3), FULL),
        (month(2026, 4), HALF),
        (month(2026, 12), HALF),
        (month(2027, 1), FULL),
    ],
)
def test_the_discount_for_everyone_else_covers_iuran_months_april_to_december_2026(iuran_month, expected):
    program = program_paid_by(FundingSource.SD)

    assert iuran_for_month(program=program, is_transport=False, month=iuran_month).total == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "funding_source",
    [
        FundingSource.SD,
        FundingSource.SL,
        FundingSource.SC,
        FundingSource.SB,
        FundingSource.SERTAKAN,
        FundingSource.MANDIRI,
    ],
)
def test_apbdes_csr_donor_and_mandiri_iuran_is_discounted_by_default(funding_source):
    quote = iuran_for_month(program=program_paid_by(funding_source), is_transport=False, month=month(2026, 6))

    assert quote.total == HALF


@pytest.mark.django_db
def test_the_jht_line_appears_only_for_the_jht_package_and_is_never_discounted():
    with_jht = program_paid_by(FundingSource.SC, package=Program.Package.JKK_JKM_JHT)
    without_jht = program_paid_by(FundingSource.SC)

    discounted = iuran_for_month(program=with_jht, is_transport=True, month=month(2026, 2))
    full = iuran_for_month(program=with_jht, is_transport=True, month=month(2025, 2))
    plain = iuran_for_month(program=without_jht, is_transport=True, month=month(2026, 2))

    assert [line.component for line in discounted.lines] == ["JKK", "JKM", "JHT", DISCOUNT_LINE]
    assert discounted.lines[2].amount == Decimal("20000")
    assert discounted.lines[3].amount == Decimal("-8400")
    assert discounted.total == Decimal("28400")  # Rp8.400 JKK+JKM after the discount + Rp20.000 JHT in full
    assert full.total == Decimal("36800")
    assert "JHT" not in [line.component for line in plain.lines]


@pytest.mark.django_db
def test_every_line_cites_its_rule():
    quote = iuran_for_month(program=program_paid_by(FundingSource.SC), is_transport=True, month=month(2026, 2))

    assert quote.rules == [
        "JKK 1% × Rp1.000.000 (PP 44/2015 Lampiran II jo PP 49/2023)",
        "JKM Rp6.800 (PP 44/2015 jo PP 49/2023)",
        "Potongan 50% JKK+JKM (PP 50/2025 Pasal 3–4)",
    ]
    assert [line.amount for line in quote.lines] == [Decimal("10000"), Decimal("6800"), Decimal("-8400")]
    assert (quote.gross, quote.discount, quote.total) == (FULL, HALF, HALF)


@pytest.mark.django_db
def test_turning_off_the_discount_for_apbdes_changes_the_answer():
    program = program_paid_by(FundingSource.SD)
    before = iuran_for_month(program=program, is_transport=False, month=month(2026, 6))

    IuranDiscountFunding.objects.filter(funding_source=FundingSource.SD).update(is_discounted=False)
    after = iuran_for_month(program=program, is_transport=False, month=month(2026, 6))

    assert (before.total, after.total) == (HALF, FULL)
    assert [line.component for line in after.lines] == ["JKK", "JKM"]


@pytest.mark.django_db
def test_a_funding_source_without_a_configuration_row_gets_no_discount():
    IuranDiscountFunding.objects.filter(funding_source=FundingSource.SERTAKAN).delete()

    quote = iuran_for_month(program=program_paid_by(FundingSource.SERTAKAN), is_transport=False, month=month(2026, 6))

    assert quote.total == FULL
    assert quote.notes


def test_the_enrolment_funding_source_overrides_the_program_one(enrol):
    enrolment = enrol(pekerjaan="petani", funding_source=FundingSource.SC)
    enrolment.funding_source = FundingSource.SG

    assert enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 6)).total == FULL


def test_a_transport_program_gets_the_transport_window_for_every_participant(enrol):
    enrolment = enrol(pekerjaan="petani", funding_source=FundingSource.SC, is_transport=True)

    assert enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 2)).total == HALF


@pytest.mark.django_db
def test_a_higher_income_bracket_raises_jkk_but_not_jkm():
    program = program_paid_by(FundingSource.SG, income_bracket=Decimal("2000000"))

    quote = iuran_for_month(program=program, is_transport=False, month=month(2025, 6))

    assert [line.amount for line in quote.lines] == [Decimal("20000"), Decimal("6800")]
    assert quote.lines[0].rule.startswith("JKK 1% × Rp2.000.000 ")
    assert quote.total == Decimal("26800")


@pytest.mark.django_db
def test_the_total_is_rounded_once_to_whole_rupiah_and_the_lines_stay_exact():
    program = program_paid_by(FundingSource.SC, income_bracket=Decimal("1234567.89"))

    quote = iuran_for_month(program=program, is_transport=True, month=month(2026, 2))

    assert quote.lines[0].amount == Decimal("12345.6789")
    # (12.345,6789 + 6.800) × 50% = 9.572,83945 → Rp9.573
    assert quote.total == Decimal("9573")


@pytest.mark.django_db
def test_a_new_dated_rate_row_applies_from_its_first_month():
    IuranRate.objects.filter(component="JKM").update(valid_to=month(2027, 12))
    IuranRate.objects.create(
        component="JKM", kind=IuranRate.Kind.FIXED, value=Decimal("7500"), valid_from=month(2028, 1), regulation="uji"
    )
    program = program_paid_by(FundingSource.SG)

    assert iuran_for_month(program=program, is_transport=False, month=month(2027, 12)).total == FULL
    assert iuran_for_month(program=program, is_transport=False, month=month(2028, 1)).total == Decimal("17500")


@pytest.mark.django_db
def test_a_month_without_a_rate_is_an_error_not_a_zero():
    with pytest.raises(IuranRuleError):
        iuran_for_month(program=program_paid_by(FundingSource.SG), is_transport=False, month=month(2015, 6))


@pytest.mark.django_db
def test_any_day_of_the_month_quotes_that_iuran_month():
    quote = iuran_for_month(
        program=program_paid_by(FundingSource.SC), is_transport=True, month=datetime.date(2026, 2, 20)
    )

    assert (quote.month, quote.total) == (month(2026, 2), HALF)


@pytest.mark.django_db
def test_a_rate_book_quotes_many_groups_without_further_queries(django_assert_num_queries):
    with django_assert_num_queries(3):
        book = RateBook.load()
    with django_assert_num_queries(0):
        for funding_source in FundingSource.values:
            for is_transport in (True, False):
                for m in months(month(2025, 1), month(2027, 12)):
                    iuran_for_month(
                        program=program_paid_by(funding_source), is_transport=is_transport, month=m, rates=book
                    )


def test_enrolment_quote_takes_no_query_beyond_the_tables_when_related_rows_are_selected(
    enrol, django_assert_num_queries
):
    from participants.models import Enrolment

    enrol(pekerjaan="ojek", funding_source=FundingSource.SC)
    enrolment = Enrolment.objects.select_related("program", "participant__pekerjaan").get()
    book = RateBook.load()

    with django_assert_num_queries(0):
        assert enrolment_iuran_for_month(enrolment=enrolment, month=month(2026, 2), rates=book).total == HALF


# The tables defend themselves


@pytest.mark.django_db
def test_the_seeded_tables_hold_the_regulations_in_force():
    rates = {(r.component, r.kind, r.value, r.valid_to) for r in IuranRate.objects.all()}
    discounts = {
        (d.sector, d.percent, d.valid_from, d.valid_to, tuple(d.components)) for d in IuranDiscount.objects.all()
    }
    excluded = set(
        IuranDiscountFunding.objects.filter(excluded_by_regulation=True).values_list("funding_source", flat=True)
    )

    assert rates == {
        ("JKK", "PERCENT", Decimal("1.00"), None),
        ("JKM", "FIXED", Decimal("6800.00"), None),
        ("JHT", "PERCENT", Decimal("2.00"), None),
    }
    assert discounts == {
        ("TRANSPORT", Decimal("50.00"), month(2026, 1), month(2027, 3), ("JKK", "JKM")),
        ("OTHER", Decimal("50.00"), month(2026, 4), month(2026, 12), ("JKK", "JKM")),
    }
    assert excluded == {"SG", "SA"}
    for discount in IuranDiscount.objects.all():
        assert {r.funding_source for r in discount.funding_rules.all()} == set(FundingSource.values)


@pytest.mark.django_db
def test_the_database_refuses_to_discount_a_source_the_regulation_excludes():
    rule = IuranDiscountFunding.objects.filter(funding_source=FundingSource.SG).first()
    rule.is_discounted = True

    with pytest.raises(ValidationError):
        rule.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        rule.save(update_fields=["is_discounted"])


@pytest.mark.django_db
def test_an_overlapping_rate_for_the_same_component_is_refused_by_clean():
    overlapping = IuranRate(
        component="JKM", kind=IuranRate.Kind.FIXED, value=Decimal("7000"), valid_from=month(2026, 1), regulation="uji"
    )
    other_component = IuranRate(
        component="JKK", kind=IuranRate.Kind.PERCENT, value=Decimal("1"), valid_from=month(2015, 1), regulation="uji"
    )
    other_component.valid_to = month(2015, 6)

    with pytest.raises(ValidationError, match="tumpang tindih"):
        overlapping.full_clean()
    other_component.full_clean()  # before the seeded row starts: no overlap


@pytest.mark.django_db
def test_the_database_refuses_negative_values_reversed_spans_and_a_second_row_starting_the_same_month():
    base = {"kind": IuranRate.Kind.FIXED, "regulation": "uji"}
    bad_rows = [
        IuranRate(component="JKM", value=Decimal("-1"), valid_from=month(2030, 1), **base),
        IuranRate(component="JKM", value=Decimal("1"), valid_from=month(2030, 1), valid_to=month(2029, 1), **base),
        IuranRate(component="JKM", value=Decimal("1"), valid_from=datetime.date(2030, 1, 2), **base),
        IuranRate(component="JKM", value=Decimal("1"), valid_from=month(2015, 7), **base),
        IuranRate(component="JKK", kind=IuranRate.Kind.PERCENT, value=Decimal("101"), valid_from=month(2030, 1)),
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()


@pytest.mark.django_db
def test_an_overlapping_discount_for_the_same_sector_is_refused_by_clean():
    overlapping = IuranDiscount(
        name="uji", percent=Decimal("10"), sector=IuranDiscount.Sector.ALL, valid_from=month(2026, 12), regulation="uji"
    )
    later = IuranDiscount(
        name="uji",
        percent=Decimal("10"),
        sector=IuranDiscount.Sector.OTHER,
        valid_from=month(2027, 1),
        regulation="uji",
    )

    with pytest.raises(ValidationError, match="tumpang tindih"):
        overlapping.full_clean()
    later.full_clean()  # the transport window still runs, but a discount for everyone else does not overlap it


@pytest.mark.django_db
def test_two_discounts_found_for_one_month_are_an_error_rather_than_a_stack():
    IuranDiscount.objects.create(
        name="uji", percent=Decimal("10"), sector=IuranDiscount.Sector.ALL, valid_from=month(2026, 6), regulation="uji"
    )

    with pytest.raises(IuranRuleError):
        iuran_for_month(program=program_paid_by(FundingSource.SC), is_transport=False, month=month(2026, 6))


# Properties


@pytest.mark.django_db
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bracket=st.decimals(min_value=Decimal("1"), max_value=Decimal("20700000"), places=2),
    iuran_month=st.dates(min_value=datetime.date(2015, 7, 1), max_value=datetime.date(2030, 12, 31)),
    is_transport=st.booleans(),
    funding_source=st.sampled_from(FundingSource.values),
    package=st.sampled_from(Program.Package.values),
)
def test_iuran_is_never_negative_and_a_discount_never_raises_it(
    bracket, iuran_month, is_transport, funding_source, package
):
    program = program_paid_by(funding_source, income_bracket=bracket, package=package)

    quote = iuran_for_month(program=program, is_transport=is_transport, month=iuran_month)

    assert Decimal(0) <= quote.total <= quote.gross
    assert quote.total == round_rupiah(sum(line.amount for line in quote.lines))
    assert all(line.rule for line in quote.lines)
    if funding_source in (FundingSource.SG, FundingSource.SA):
        assert quote.total == quote.gross


# Admin


def test_an_administrator_can_open_the_rate_and_discount_admin_pages(client, administrator):
    client.force_login(administrator)
    discount = IuranDiscount.objects.get(sector=IuranDiscount.Sector.TRANSPORT)

    pages = [
        "/admin/programs/iuranrate/",
        f"/admin/programs/iuranrate/{IuranRate.objects.get(component='JKK').pk}/change/",
        "/admin/programs/iurandiscount/",
        f"/admin/programs/iurandiscount/{discount.pk}/change/",
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url
    assert "PP 50/2025 Pasal 3" in client.get(pages[-1]).content.decode()
