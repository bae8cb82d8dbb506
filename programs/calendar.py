"""Working days in Indonesia: weekends, libur nasional and (by default) cuti bersama from the ``Holiday`` table.

The one place for working-day arithmetic: iuran due dates here, claim SLA clocks (PP 44/2015 Pasal 37, 40:
7 and 3 working days) in claims. Each function reads the holidays of the whole date range in one query.

Setting ``CUTI_BERSAMA_IS_DAY_OFF`` (default ``True``): pemda offices and BPJS Ketenagakerjaan close on cuti
bersama (Keppres on ASN cuti bersama), so the SLA and due-date clocks skip them; set it to ``False`` to count cuti
bersama as working days, as private employers may (for them cuti bersama is taken from annual leave).

A year missing from the table counts only weekends as days off: load the next year's SKB 3 Menteri (usually
published in September) in the admin.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from programs.models import Holiday

WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday())
# PP 44/2015 (via Kompas, domain brief §2): BPU iuran is due on the 15th of the iuran month itself.
IURAN_DUE_DAY = 15
ONE_DAY = datetime.timedelta(days=1)


def cuti_bersama_is_day_off() -> bool:
    return settings.CUTI_BERSAMA_IS_DAY_OFF


def days_off_between(
    start: datetime.date, end: datetime.date, *, cuti_bersama: bool | None = None
) -> set[datetime.date]:
    """The holidays (not weekends) from ``start`` to ``end`` inclusive, in one query."""
    if cuti_bersama is None:
        cuti_bersama = cuti_bersama_is_day_off()
    if end < start:
        start, end = end, start
    holidays = Holiday.objects.filter(date__range=(start, end))
    if not cuti_bersama:
        holidays = holidays.filter(kind=Holiday.Kind.LIBUR_NASIONAL)
    return set(holidays.values_list("date", flat=True))


def _is_working(day: datetime.date, days_off: set[datetime.date]) -> bool:
    return day.weekday() not in WEEKEND and day not in days_off


def is_working_day(day: datetime.date, *, cuti_bersama: bool | None = None) -> bool:
    """Whether ``day`` is neither a weekend nor a holiday."""
    if day.weekday() in WEEKEND:
        return False
    return not days_off_between(day, day, cuti_bersama=cuti_bersama)


def _window(n: int) -> datetime.timedelta:
    # Room for n working days plus weekends and the longest holiday run (Idulfitri: about 10 days off in a row).
    return datetime.timedelta(days=abs(n) * 7 // 5 + 21)


def add_working_days(day: datetime.date, n: int, *, cuti_bersama: bool | None = None) -> datetime.date:
    """The date ``n`` working days after ``day`` (before it when ``n`` is negative); ``n = 0`` returns ``day``.

    ``day`` itself is not counted, like an SLA clock: 3 working days after a Friday file is the next Wednesday.
    Reads holidays one window at a time (one query for any realistic ``n``).
    """
    step = -ONE_DAY if n < 0 else ONE_DAY
    left = abs(n)
    current = day
    while left > 0:
        window_end = current + _window(left) * (1 if n > 0 else -1)
        days_off = days_off_between(current, window_end, cuti_bersama=cuti_bersama)
        while left > 0 and current != window_end:
            current += step
            if _is_working(current, days_off):
                left -= 1
    return current


def next_working_day(day: datetime.date, *, cuti_bersama: bool | None = None) -> datetime.date:
    """``day`` itself when it is a working day, otherwise the first working day after it."""
    current = day
    while True:
        window_end = current + _window(0)
        days_off = days_off_between(current, window_end, cuti_bersama=cuti_bersama)
        while current <= window_end:
            if _is_working(current, days_off):
                return current
            current += ONE_DAY


def iuran_due_date(month: datetime.date, *, cuti_bersama: bool | None = None) -> datetime.date:
    """The due date of iuran month ``month``: its 15th, or the next working day when that is a day off."""
    return next_working_day(month.replace(day=IURAN_DUE_DAY), cuti_bersama=cuti_bersama)
