import xml.etree.ElementTree as ET
from decimal import Decimal

from rentan.charts import COLOR_BELOW, COLOR_MET, COLOR_NEAR, Bar, MapArea, Point, bar_chart, choropleth, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_bar_chart_draws_one_bar_per_region_with_its_target_mark_and_indonesian_percentages():
    root = parse(
        bar_chart(
            [
                Bar("Kabupaten Kaur", Decimal("12.5"), Decimal("48"), href="/dasbor/17.04/"),
                Bar("Kota Bengkulu", Decimal("51.25"), Decimal("48")),
            ],
            title="Cakupan",
        )
    )
    rects = list(root.iter(f"{SVG}rect"))
    assert [r.get("fill") for r in rects] == [COLOR_BELOW, COLOR_MET]
    assert "12,50%" in texts(root) and "51,25%" in texts(root)
    assert len([ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray")]) == 2
    assert root.find(f"{SVG}a").get("href") == "/dasbor/17.04/"


def test_chart_text_is_escaped():
    svg = str(bar_chart([Bar('<img src="file:///etc/passwd">', Decimal(1))]))
    assert "<img" not in svg
    assert "&lt;img" in svg
    parse(svg)


def test_line_chart_labels_every_point():
    root = parse(line_chart([Point("Jan", Decimal(100)), Point("Feb", Decimal(39487))], title="Peserta aktif"))
    assert {"Jan", "Feb", "39.487", "100"} <= set(texts(root))


def square(x0):
    return {"type": "Polygon", "coordinates": [[[x0, -4], [x0 + 1, -4], [x0 + 1, -3], [x0, -3], [x0, -4]]]}


def test_choropleth_colours_areas_by_coverage_against_target_and_says_boundaries_are_indicative():
    root = parse(
        choropleth(
            [
                MapArea("17.04", "Kaur", square(102), Decimal(10), Decimal(48), href="/x/"),
                MapArea("17.71", "Kota", square(103), Decimal(40), Decimal(48)),
                MapArea(
                    "17.01",
                    "Selatan",
                    {"type": "MultiPolygon", "coordinates": [square(104)["coordinates"]]},
                    Decimal(60),
                    Decimal(48),
                ),
            ]
        )
    )
    fills = [p.get("fill") for p in root.iter(f"{SVG}path")]
    assert fills == [COLOR_BELOW, COLOR_NEAR, COLOR_MET]
    assert "Batas wilayah indikatif, bukan batas resmi." in texts(root)


def test_empty_inputs_give_no_chart():
    assert bar_chart([]) == "" and line_chart([]) == "" and choropleth([]) == ""
