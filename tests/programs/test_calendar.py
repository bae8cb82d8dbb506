"""Working days, holidays and the iuran due date (domain brief §2 and §5)."""

import datetime
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lokal.holidays import get_holidays

from programs.calendar import add_working_days, days_off_between, is_working_day, iuran_due_date, next_working_day
from programs.models import Holiday

D = datetime.date


@pytest.mark.django_db
def test_the_holiday_table_holds_2024_to_2027():
    per_year = Counter(day.year for day in Holiday.objects.values_list("date", flat=True))
    kinds = Counter(
        (h.date.year, h.kind) for h in Holiday.objects.filter(date__year__in=(2024, 2025)).only("date", "kind")
    )

    assert per_year == {2024: 29, 2025: 28, 2026: 25, 2027: 26}
    # 17 libur nasional each year by SKB (2024 adds the Pemilu and Pilkada voting days by Keppres);
    # 10 cuti bersama in 2024, 10 + 18 Agustus (amended SKB) in 2025.
    assert kinds == {
        (2024, Holiday.Kind.LIBUR_NASIONAL): 19,
        (2024, Holiday.Kind.CUTI_BERSAMA): 10,
        (2025, Holiday.Kind.LIBUR_NASIONAL): 17,
        (2025, Holiday.Kind.CUTI_BERSAMA): 11,
    }
    assert Holiday.objects.get(date=D(2025, 8, 18)).kind == Holiday.Kind.CUTI_BERSAMA
    assert "manual" in Holiday.objects.get(date=D(2025, 4, 2)).source


@pytest.mark.django_db
@pytest.mark.parametrize("year", [2026, 2027])
def test_the_seeded_2026_and_2027_holidays_match_lokal_id(year):
    seeded = {(h.date.isoformat(), h.name, h.kind) for h in Holiday.objects.filter(date__year=year)}

    assert seeded == {(h.date, h.name, h.type) for h in get_holidays(year).holidays}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 3, 26), True),  # Thursday
        (D(2026, 3, 28), False),  # Saturday
        (D(2026, 3, 29), False),  # Sunday
        (D(2026, 3, 19), False),  # Nyepi, libur nasional
        (D(2026, 3, 23), False),  # cuti bersama Idulfitri
        (D(2025, 8, 18), False),  # cuti bersama added by the amended 2025 SKB
        (D(2024, 11, 27), False),  # Pilkada voting day
    ],
)
def test_is_working_day_skips_weekends_holidays_and_cuti_bersama(day, working):
    assert is_working_day(day) is working


@pytest.mark.django_db
def test_cuti_bersama_count_as_working_days_when_the_setting_says_so(settings):
    settings.CUTI_BERSAMA_IS_DAY_OFF = False

    assert is_working_day(D(2026, 3, 23)) is True
    assert is_working_day(D(2026, 3, 19)) is False  # libur nasional stays a day off
    assert add_working_days(D(2026, 3, 17), 1) == D(2026, 3, 18)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("iuran_month", "due"),
    [
        (D(2026, 4, 1), D(2026, 4, 15)),  # a Wednesday: the 15th itself
        (D(2026, 6, 1), D(2026, 6, 15)),  # a Monday, the day before 1 Muharam
        (D(2026, 3, 1), D(2026, 3, 16)),  # a Sunday
        (D(2026, 8, 1), D(2026, 8, 18)),  # a Saturday, then Proklamasi on Monday 17th
        (D(2026, 5, 1), D(2026, 5, 18)),  # Friday cuti bersama Kenaikan, then the weekend
        (D(2026, 2, 1), D(2026, 2, 18)),  # Sunday, then Imlek cuti bersama (16th) and libur (17th)
        (D(2027, 3, 1), D(2027, 3, 16)),  # Monday cuti bersama Idulfitri
    ],
)
def test_the_iuran_due_date_is_the_15th_or_the_next_working_day(iuran_month, due):
    assert iuran_due_date(iuran_month) == due


@pytest.mark.django_db
def test_the_due_date_can_ignore_cuti_bersama():
    assert iuran_due_date(D(2026, 2, 1), cuti_bersama=False) == D(2026, 2, 16)  # Imlek cuti bersama counts
    assert iuran_due_date(D(2026, 5, 1), cuti_bersama=False) == D(2026, 5, 15)


@pytest.mark.django_db
def test_next_working_day_returns_the_day_itself_when_it_is_a_working_day():
    assert next_working_day(D(2026, 3, 17)) == D(2026, 3, 17)
    assert next_working_day(D(2026, 3, 18)) == D(2026, 3, 25)


@pytest.mark.django_db
def test_add_working_days_crosses_the_idulfitri_2026_holiday():
    # 18 Mar cuti bersama Nyepi, 19 Nyepi, 20–24 Idulfitri (with the weekend): Tuesday 17th + 1 is Wednesday 25th.
    assert add_working_days(D(2026, 3, 17), 1) == D(2026, 3, 25)
    assert add_working_days(D(2026, 3, 17), 3) == D(2026, 3, 27)  # a JKM claim's 3-working-day SLA
    assert add_working_days(D(2026, 3, 25), -1) == D(2026, 3, 17)


@pytest.mark.django_db
def test_add_working_days_of_zero_is_the_same_day():
    assert add_working_days(D(2026, 3, 21), 0) == D(2026, 3, 21)


@pytest.mark.django_db
def test_add_working_days_reads_the_holidays_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        result = add_working_days(D(2026, 1, 2), 60)

    assert result == D(2026, 4, 9)  # as lokal-id's own add_working_days answers


@pytest.mark.django_db
def test_a_new_holiday_in_the_table_moves_the_due_date():
    Holiday.objects.create(date=D(2026, 4, 15), name="uji", kind=Holiday.Kind.LIBUR_NASIONAL, source="uji")

    assert iuran_due_date(D(2026, 4, 1)) == D(2026, 4, 16)


@pytest.mark.django_db
def test_days_off_between_accepts_a_reversed_range():
    assert days_off_between(D(2026, 3, 24), D(2026, 3, 18)) == {
        D(2026, 3, 18),
        D(2026, 3, 19),
        D(2026, 3, 20),
        D(2026, 3, 21),
        D(2026, 3, 22),
        D(2026, 3, 23),
        D(2026, 3, 24),
    }


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 10, 31)),
    n=st.integers(min_value=1, max_value=40),
)
def test_going_n_working_days_forward_and_back_returns_to_the_working_day_we_started_from(start, n):
    start = next_working_day(start)
    forward = add_working_days(start, n)

    assert forward > start
    assert is_working_day(forward)
    assert add_working_days(forward, -n) == start


def test_an_administrator_can_list_and_edit_holidays(client, administrator):
    client.force_login(administrator)
    holiday = Holiday.objects.get(date=D(2026, 3, 21))

    assert client.get("/admin/programs/holiday/?date__year=2026").status_code == 200
    assert client.get(f"/admin/programs/holiday/{holiday.pk}/change/").status_code == 200
