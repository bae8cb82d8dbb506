import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from rentan.formatting import format_date, format_month, format_number, format_percent, format_rupiah, round_rupiah


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("16212268800"), "Rp16.212.268.800"),
        (Decimal("3024000000.00"), "Rp3.024.000.000"),
        (16800, "Rp16.800"),
        (Decimal("999"), "Rp999"),
        (0, "Rp0"),
        (Decimal("-5000"), "-Rp5.000"),
        (Decimal("8400.50"), "Rp8.401"),
        (None, ""),
    ],
)
def test_format_rupiah_uses_dots_for_thousands_and_rounds_half_up(value, expected):
    assert format_rupiah(value) == expected


def test_format_rupiah_can_show_sen():
    assert format_rupiah(Decimal("1234.5"), decimals=2) == "Rp1.234,50"


def test_format_number_and_percent_use_comma_for_decimals():
    assert format_number(39487) == "39.487"
    assert format_number(Decimal("1234567.891"), 2) == "1.234.567,89"
    assert format_percent(Decimal("27.16")) == "27,16%"
    assert format_percent(Decimal("29.8449"), 1) == "29,8%"


def test_format_date_writes_indonesian_month_names():
    assert format_date(datetime.date(2024, 11, 13)) == "13 November 2024"
    assert format_date(datetime.date(2025, 8, 17)) == "17 Agustus 2025"
    assert format_month(datetime.date(2025, 7, 1)) == "Juli 2025"


def test_format_date_shows_aware_datetimes_in_jakarta_time():
    # 20:00 UTC on 31 December is already 1 January in Asia/Jakarta (UTC+7).
    moment = datetime.datetime(2024, 12, 31, 20, 0, tzinfo=datetime.UTC)
    assert format_date(moment) == "1 Januari 2025"
    assert timezone.get_current_timezone_name() == "Asia/Jakarta"


def test_round_rupiah_rounds_half_up_to_whole_rupiah():
    assert round_rupiah(Decimal("8400.5")) == Decimal("8401")
    assert round_rupiah(Decimal("8400.49")) == Decimal("8400")


def test_template_filters_are_available_in_every_template():
    template = Template(
        "{{ pagu|rupiah }} · {{ jiwa|angka }} · {{ cakupan|persen }} · {{ hari|tanggal }} · {{ bulan|bulan }}"
    )
    rendered = template.render(
        Context(
            {
                "pagu": Decimal("16212268800"),
                "jiwa": 80418,
                "cakupan": Decimal("27.16"),
                "hari": datetime.date(2024, 11, 13),
                "bulan": datetime.date(2025, 7, 1),
            }
        )
    )
    assert rendered == "Rp16.212.268.800 · 80.418 · 27,16% · 13 November 2024 · Juli 2025"


def test_nik_is_masked_keeping_region_and_serial():
    from rentan.formatting import mask_nik

    assert mask_nik("1771051506850001") == "1771••••••••0001"
    assert mask_nik("123") == "•••"
    assert mask_nik(None) == ""


def test_bank_accounts_show_only_the_last_four_digits():
    from rentan.formatting import mask_account

    assert mask_account("0012 3456 7890") == "••••••••7890"
    assert mask_account("1234") == "••••"
    assert (
        Template("{{ n|nik_samar }} {{ a|rekening_samar }}").render(
            Context({"n": "1771051506850001", "a": "9876543210"})
        )
        == "1771••••••••0001 ••••••3210"
    )
