"""Indonesian formatting of money, numbers, percentages and dates, used by templates, exports and PDFs alike.

Written out here rather than taken from the active locale so that a PDF rendered by a Celery worker reads the
same as the page: ``Rp16.212.268.800``, ``39.487``, ``27,16%``, ``13 November 2024``.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def _to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def round_rupiah(amount: Decimal) -> Decimal:
    """The one rounding rule for money: to whole rupiah, half up."""
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def format_number(value, decimals: int = 0) -> str:
    """``39487`` → ``39.487``; ``27.164`` with 2 decimals → ``27,16``."""
    number = _to_decimal(value)
    if number is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    return f"{sign}{text},{fraction}" if decimals else f"{sign}{text}"


def format_rupiah(value, decimals: int = 0) -> str:
    """``16212268800`` → ``Rp16.212.268.800``; negative amounts as ``-Rp5.000``."""
    number = _to_decimal(value)
    if number is None:
        return ""
    text = format_number(abs(number), decimals)
    return f"-Rp{text}" if number < 0 else f"Rp{text}"


def format_percent(value, decimals: int = 2) -> str:
    """``27.16`` → ``27,16%`` (the value is already a percentage)."""
    text = format_number(value, decimals)
    return f"{text}%" if text else ""


def format_date(value) -> str:
    """``date(2024, 11, 13)`` → ``13 November 2024``; aware datetimes are shown in local time."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value) -> str:
    """``13 November 2024 14.05`` (Indonesian uses a dot between hours and minutes)."""
    if value is None:
        return ""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{format_date(value)} {value:%H.%M}"


def format_month(value) -> str:
    """``date(2025, 7, 1)`` → ``Juli 2025``."""
    if value is None or value == "":
        return ""
    return f"{MONTHS[value.month - 1]} {value.year}"


MASK = "•"


def mask_nik(nik) -> str:
    """``1771051506850001`` → ``1771••••••••0001``: kab/kota and serial stay readable, the birth date does not."""
    text = "" if nik is None else str(nik)
    if len(text) != 16:
        return MASK * len(text)
    return f"{text[:4]}{MASK * 8}{text[-4:]}"


def mask_name(name) -> str:
    """``Siti Aminah Contoh`` → ``Siti A. C.``: the first name and initials, enough to recognise, not to look up.

    For lists that leave the portal (the monthly report handed round at the rapat monitoring): heirs are named this
    way, as their NIK is masked (UU 27/2022 PDP, data minimisation).
    """
    words = ("" if name is None else str(name)).split()
    if not words:
        return ""
    if len(words) == 1:
        word = words[0]
        return word if len(word) <= 3 else f"{word[:3]}{MASK * 3}"
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def mask_account(number) -> str:
    """A bank account number with only its last 4 digits shown: ``••••••7890``."""
    text = "" if number is None else str(number).replace(" ", "")
    if len(text) <= 4:
        return MASK * len(text)
    return f"{MASK * (len(text) - 4)}{text[-4:]}"
