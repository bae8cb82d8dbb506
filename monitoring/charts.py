"""The dashboard's charts (coverage bars against target, map, 12-month trend), built from a ``Dashboard``.

One function for the page and the monthly PDF, so both draw the same figures through ``rentan.charts``; the PDF
asks for them without links (its readers are at the meeting, not in the portal).
"""

from collections.abc import Callable
from decimal import Decimal

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from monitoring.selectors import Dashboard, Measure
from rentan.charts import Bar, MapArea, Point, bar_chart, choropleth, line_chart
from rentan.formatting import MONTHS, format_number


def short_month(month) -> str:
    return f"{MONTHS[month.month - 1][:3]} {month:%y}"


def dashboard_charts(board: Dashboard, href: Callable[[str], str] | None = None) -> dict:
    """``bars``, ``map`` and ``unmapped`` (when boundaries are loaded) and ``trend`` of one dashboard.

    ``href(code)`` links a region's bar and area to its page; without it the charts carry no links.
    """

    def link(code: str) -> str:
        return href(code) if href else ""

    measure_name = _("cakupan pekerja rentan") if board.measure == Measure.RENTAN else _("cakupan UCJ")
    bars = [
        Bar(
            label=row.name,
            value=row.value,
            target=row.target,
            href=link(row.code),
            note=_("%(count)s jiwa") % {"count": format_number(row.active)},
        )
        for row in board.rows
    ]
    title = _("%(measure)s per wilayah, terendah di atas") % {"measure": capfirst(measure_name)}
    charts = {"bars": bar_chart(bars, title=title)}
    if board.boundaries:
        areas = [
            MapArea(row.code, row.name, board.boundaries[row.code], row.value, row.target, link(row.code))
            for row in board.rows
            if row.code in board.boundaries
        ]
        charts["map"] = choropleth(areas, title=_("Peta %(measure)s") % {"measure": measure_name})
        charts["unmapped"] = [row.name for row in board.rows if row.code not in board.boundaries]
    points = [Point(short_month(month), Decimal(s.active)) for month, s in board.trend if s is not None]
    charts["trend"] = line_chart(points, title=_("Peserta aktif, 12 bulan terakhir")) if len(points) > 1 else ""
    return charts
