"""Server-rendered SVG charts: one code path for the dashboard page and the WeasyPrint PDF (no JavaScript, no CDN).

Every function returns a ``SafeString`` of inline SVG; every text that goes into it is escaped here. Sizes are in
user units with a ``viewBox``, so the same SVG scales to a page column or an A4 width.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rentan.formatting import format_number, format_percent

FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
COLOR_BELOW = "#c0392b"
COLOR_NEAR = "#e67e22"
COLOR_MET = "#27ae60"
COLOR_NONE = "#d5d8dc"
COLOR_LINE = "#0b5d8f"
# Coverage buckets for the map legend, as a share of the target: far below, below, met.
BUCKETS = ((Decimal("0.5"), COLOR_BELOW), (Decimal("1"), COLOR_NEAR), (None, COLOR_MET))


def coverage_color(value: Decimal | None, target: Decimal | None) -> str:
    """Red below half the target, orange below the target, green at or above it; grey without data."""
    if value is None:
        return COLOR_NONE
    if not target:
        return COLOR_LINE
    ratio = Decimal(value) / Decimal(target)
    for limit, color in BUCKETS:
        if limit is None or ratio < limit:
            return color
    return COLOR_MET


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None  # a percentage; None when it cannot be computed (no denominator): no bar, "-"
    target: Decimal | None = None
    href: str = ""
    note: str = ""  # shown after the value, e.g. "12.345 jiwa"


def _text(x, y, content, *, size=11, anchor="start", weight="normal", fill="#222") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'fill="{fill}" {FONT}>{escape(content)}</text>'
    )


def _link(href: str, inner: str) -> str:
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def bar_chart(bars: Sequence[Bar], *, title: str = "", width: int = 720) -> SafeString:
    """Horizontal bars of coverage % per region, with each region's target as a dashed mark."""
    if not bars:
        return mark_safe("")  # noqa: S308 - constant
    label_width, value_width, row = 190, 150, 26
    top = 30 if title else 10
    plot = width - label_width - value_width
    scale_max = max([b.value or 0 for b in bars] + [b.target or 0 for b in bars] + [Decimal(1)])
    step = next((s for s in (5, 10, 20, 25, 50) if scale_max / s <= 6), 100)
    scale_max = Decimal(math.ceil(scale_max / step) * step)
    height = top + row * len(bars) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(_text(0, 18, title, size=13, weight="bold"))
    for tick in range(0, int(scale_max) + 1, step):
        x = label_width + plot * tick / float(scale_max)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" stroke="#eee"/>')
        parts.append(_text(x, height - 6, f"{tick}%", size=9, anchor="middle", fill="#777"))
    for i, bar in enumerate(bars):
        y = top + i * row
        length = plot * float(bar.value) / float(scale_max) if bar.value is not None else 0
        color = coverage_color(bar.value, bar.target)
        label = bar.label if len(bar.label) <= 28 else bar.label[:27] + "…"
        inner = _text(label_width - 8, y + 16, label, anchor="end") + (
            f'<rect x="{label_width}" y="{y + 4}" width="{max(length, 1):.1f}" height="{row - 8}" fill="{color}"/>'
        )
        parts.append(_link(bar.href, inner))
        if bar.target is not None:
            tx = label_width + plot * float(bar.target) / float(scale_max)
            parts.append(
                f'<line x1="{tx:.1f}" y1="{y + 1}" x2="{tx:.1f}" y2="{y + row - 1}" stroke="#222" '
                f'stroke-width="2" stroke-dasharray="3,2"/>'
            )
        value_text = (format_percent(bar.value) if bar.value is not None else "-") + (
            f" · {bar.note}" if bar.note else ""
        )
        parts.append(_text(label_width + plot + 6, y + 16, value_text, size=10))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal


def line_chart(points: Sequence[Point], *, title: str = "", unit: str = "", width: int = 720, height: int = 220):
    """A trend line (e.g. 12 months of peserta aktif), labelled at every point."""
    if not points:
        return mark_safe("")  # noqa: S308 - constant
    left, right, top, bottom = 56, 16, 30 if title else 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(float(p.value) for p in points) or 1.0
    top_value *= 1.1
    step = plot_w / max(len(points) - 1, 1)
    coords = [(left + i * step, top + plot_h - plot_h * float(p.value) / top_value) for i, p in enumerate(points)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(_text(0, 18, title, size=13, weight="bold"))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999"/>')
    parts.append(
        f'<polyline fill="none" stroke="{COLOR_LINE}" stroke-width="2.5" '
        f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in coords)}"/>'
    )
    for (x, y), point in zip(coords, points, strict=True):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOR_LINE}"/>')
        parts.append(_text(x, y - 8, format_number(point.value) + unit, size=9, anchor="middle"))
        parts.append(_text(x, height - 8, point.label, size=9, anchor="middle", fill="#555"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


@dataclass(frozen=True)
class MapArea:
    code: str
    label: str
    geometry: dict  # GeoJSON Polygon or MultiPolygon, lon/lat
    value: Decimal | None
    target: Decimal | None = None
    href: str = ""


def _rings(geometry: dict):
    if geometry.get("type") == "Polygon":
        yield from geometry.get("coordinates", [])
    elif geometry.get("type") == "MultiPolygon":
        for polygon in geometry.get("coordinates", []):
            yield from polygon


def choropleth(areas: Sequence[MapArea], *, title: str = "", width: int = 720) -> SafeString:
    """A map of areas coloured by coverage against target, with a legend and the indicative-boundary note.

    Equirectangular projection scaled by cos(latitude): fine for a province, where it matters that shapes are
    recognisable, not that distances are exact.
    """
    rings = [(area, ring) for area in areas for ring in _rings(area.geometry) if ring]
    if not rings:
        return mark_safe("")  # noqa: S308 - constant
    lons = [pt[0] for _, ring in rings for pt in ring]
    lats = [pt[1] for _, ring in rings for pt in ring]
    min_lon, max_lon, min_lat, max_lat = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * kx, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    top, legend_h, pad = 30 if title else 10, 46, 8
    plot_w = width - 2 * pad
    plot_h = plot_w * span_y / span_x
    if plot_h > 520:  # tall provinces: fit the height instead
        plot_h = 520
        plot_w = plot_h * span_x / span_y
    scale = plot_w / span_x
    height = top + plot_h + legend_h

    def project(lon, lat):
        return pad + (lon - min_lon) * kx * scale, top + (max_lat - lat) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="100%" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(_text(0, 18, title, size=13, weight="bold"))
    for area in areas:
        d = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(lon, lat) for lon, lat, *_ in ring)) + " Z"
            for ring in _rings(area.geometry)
            if ring
        )
        tooltip = f"{area.label}: {format_percent(area.value) if area.value is not None else '-'}"
        path = (
            f'<path d="{d}" fill="{coverage_color(area.value, area.target)}" stroke="#fff" stroke-width="1">'
            f"<title>{escape(tooltip)}</title></path>"
        )
        parts.append(_link(area.href, path))
    y = top + plot_h + 16
    for i, (label, color) in enumerate(
        (
            ("< 50% target", COLOR_BELOW),
            ("50–99% target", COLOR_NEAR),
            ("≥ target", COLOR_MET),
            ("tanpa data", COLOR_NONE),
        )
    ):
        x = pad + i * 150
        parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="12" fill="{color}"/>')
        parts.append(_text(x + 16, y + 1, label, size=10))
    parts.append(_text(pad, y + 22, "Batas wilayah indikatif, bukan batas resmi.", size=9, fill="#666"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
