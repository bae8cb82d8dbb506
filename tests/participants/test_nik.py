import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participants.nik import validate_nik
from tests.factories import nik_for

TODAY = datetime.date(2026, 11, 21)
KNOWN = {"17.71.05", "17.04.01"}


def codes(check):
    return sorted(issue.code for issue in (*check.errors, *check.warnings))


def test_a_well_formed_nik_of_a_man_decodes_birth_date_sex_and_kecamatan():
    check = validate_nik("1771051506850001", kecamatan_codes=KNOWN, today=TODAY)
    assert check.is_valid
    assert check.nik == "1771051506850001"
    assert check.birth_date == datetime.date(1985, 6, 15)
    assert check.sex == "L"
    assert check.kecamatan_code == "17.71.05"
    assert check.warnings == []


def test_a_woman_has_forty_added_to_her_day_of_birth():
    check = validate_nik("1771055506850001", today=TODAY)
    assert check.birth_date == datetime.date(1985, 6, 15)
    assert check.sex == "P"


def test_separators_are_ignored():
    assert validate_nik("17.7105 150685-0001", today=TODAY).nik == "1771051506850001"


@pytest.mark.parametrize("raw", ["", "177105150685000", "17710515068500011", "17710515068500A1", None])
def test_anything_but_sixteen_digits_is_a_hard_error(raw):
    check = validate_nik(raw, today=TODAY)
    assert not check.is_valid
    assert codes(check) == ["nik_format"]
    assert "16 digit" in check.errors[0].message


@pytest.mark.parametrize("raw", ["1.7710E+15", "1,77105E+15", "1771051506850000.0", 1.771051506850001e15])
def test_a_nik_that_excel_turned_into_a_number_is_refused_with_the_reason(raw):
    check = validate_nik(raw, today=TODAY)
    assert codes(check) == ["nik_number"]
    assert "digitnya hilang" in check.errors[0].message


@pytest.mark.parametrize("date_digits", ["320285", "721385", "000185", "700285", "360185"])
def test_an_impossible_birth_date_is_a_hard_error(date_digits):
    check = validate_nik(f"177105{date_digits}0001", today=TODAY)
    assert "nik_date" in codes(check)
    assert not check.is_valid


def test_a_serial_of_zeros_is_a_hard_error():
    check = validate_nik("1771051506850000", today=TODAY)
    assert codes(check) == ["nik_serial"]


def test_unknown_kecamatan_and_disagreeing_birth_date_or_sex_are_warnings_only():
    check = validate_nik(
        "9999991506850001",
        birth_date=datetime.date(1985, 6, 16),
        sex="P",
        kecamatan_codes=KNOWN,
        today=TODAY,
    )
    assert check.is_valid
    assert codes(check) == ["nik_birth_date_mismatch", "nik_kecamatan", "nik_sex_mismatch"]


def test_the_century_follows_the_stated_birth_date():
    assert validate_nik("1771050101250001", today=TODAY).birth_date == datetime.date(2025, 1, 1)
    stated = datetime.date(1925, 1, 1)
    check = validate_nik("1771050101250001", birth_date=stated, today=TODAY)
    assert check.birth_date == stated
    assert check.warnings == []


@given(
    birth=st.dates(min_value=datetime.date(1927, 1, 1), max_value=datetime.date(2026, 11, 21)),
    sex=st.sampled_from(["L", "P"]),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_every_generated_nik_round_trips_its_birth_date_and_sex(birth, sex, serial):
    nik = nik_for("17.71.05.1001", birth, sex, serial)
    check = validate_nik(nik, birth_date=birth, sex=sex, kecamatan_codes=KNOWN, today=TODAY)
    assert check.is_valid
    assert check.warnings == []
    assert (check.birth_date, check.sex, check.nik) == (birth, sex, nik)


@given(st.text(max_size=30))
def test_any_text_gives_a_result_never_an_exception(text):
    check = validate_nik(text, today=TODAY)
    assert check.is_valid == (check.nik is not None and not check.errors)
    if check.nik is None:
        assert check.errors


@given(st.from_regex(r"[0-9]{16}", fullmatch=True))
def test_every_sixteen_digit_string_is_either_valid_or_has_a_hard_date_or_serial_error(digits):
    check = validate_nik(digits, today=TODAY)
    assert check.nik == digits
    assert {issue.code for issue in check.errors} <= {"nik_date", "nik_serial"}
    assert check.is_valid == (check.birth_date is not None and digits[12:] != "0000")
