"""The dashboard: figures from snapshots, scoped to the user, a fixed number of queries, an export that agrees."""

import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.coverage import coverage_compute_month
from monitoring.models import CoverageSnapshot
from participants.models import Enrolment, Participant
from programs.models import Occupation, Region
from programs.services import boundaries_load
from rentan.formatting import format_number, format_percent, format_rupiah
from tests.monitoring.world import KAUR, KOTA, MAY, D, build_world, nik

pytestmark = pytest.mark.django_db

PROVINCE = reverse("monitoring:dashboard_region", args=["17"])


class Table(HTMLParser):
    """The region table of a dashboard page: {code: {field: text}} for rows (and the total row) with data-code."""

    def __init__(self):
        super().__init__()
        self.rows, self.order, self.code, self.field = {}, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-code" in attrs:
            self.code = attrs["data-code"]
            self.rows[self.code] = {}
            self.order.append(self.code)
        elif tag == "td" and self.code is not None and "data-field" in attrs:
            self.field = attrs["data-field"]
            self.rows[self.code][self.field] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self.field = None
        elif tag == "tr":
            self.code = None

    def handle_data(self, data):
        if self.code is not None and self.field is not None:
            self.rows[self.code][self.field] += data.strip()


def table_of(html: str) -> Table:
    table = Table()
    table.feed(html)
    return table


def shown(html: str, name: str) -> str:
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert match, f"{name} not on the page"
    return match.group(1).strip()


def square(x0, y0=-4.0):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1], [x0, y0 + 1], [x0, y0]]]}


@pytest.fixture
def boundaries(tmp_path, regions):
    """A tiny made-up GeoJSON for two kab/kota (never the real boundary files)."""
    path = tmp_path / "batas.geojson"
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": square(x)}
        for code, x in ((KOTA, 102.2), (KAUR, 103.2))
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    boundaries_load(path=path, source="uji")


def test_the_province_dashboard_shows_the_hand_counted_figures(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE, {"bulan": "2026-05"}).text
    assert shown(html, "active") == "7"
    assert shown(html, "coverage-ucj") == "0,70%"
    assert "+1 dari bulan lalu" in shown(html, "active-change")  # April: H had not started yet
    assert shown(html, "pagu") == "-"  # no budget recorded
    assert "Belum ada pembayaran iuran (SP2D)" in shown(html, "realisasi")
    assert shown(html, "claims-paid") == "0"
    rows = table_of(html).rows
    assert rows[KOTA]["active"] == "4" and rows[KOTA]["coverage-ucj"] == "2,00%"
    assert rows[KAUR]["active"] == "3" and rows[KAUR]["coverage-ucj"] == "3,00%"
    assert rows[KOTA]["gap-jiwa"] == "6" and rows[KOTA]["gap-rupiah"] == format_rupiah(6 * 16800 * 12)
    assert rows[KAUR]["gap-rupiah"] == format_rupiah(2 * 8400 * 12)
    assert rows["17.09"]["active"] == "0" and rows["17.09"]["gap-jiwa"] == "8"
    assert len([code for code in rows if len(code) == 5]) == 10  # every kab/kota of Bengkulu, with data or not


def test_child_regions_are_sorted_worst_first_against_their_target(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    order = table_of(client.get(PROVINCE).text).order
    assert order[:2] == [KOTA, KAUR]  # 2,00% and 3,00% of a 48% target; the rest have no penduduk bekerja
    assert order[-1] == "17"  # the total row


def test_drill_down_links_keep_the_filters_in_table_and_chart(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE, {"bulan": "2026-05", "sumber": "SD"}).text
    link = f"/dasbor/wilayah/{KOTA}/?bulan=2026-05&amp;sumber=SD"
    table, chart = html.split('data-testid="region-table"')[1], html.split('data-testid="bar-chart"')[1]
    assert link in table
    assert link in chart.split("</svg>")[0]
    kota = client.get(f"/dasbor/wilayah/{KOTA}/", {"bulan": "2026-05"}).text
    assert 'href="/dasbor/wilayah/17.71.05/?bulan=2026-05"' in kota
    desa = client.get("/dasbor/wilayah/17.71.05.1001/", {"bulan": "2026-05"}).text
    assert shown(desa, "active") == "2"
    assert "tingkat wilayah terendah" in desa


def test_filters_by_program_and_funding_source_use_precomputed_rows(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    by_program = client.get(f"/dasbor/wilayah/{KOTA}/", {"program": "dd-kandang"}).text
    assert shown(by_program, "active") == "1"  # C only: D counts under the provinsi program
    by_source = table_of(client.get(PROVINCE, {"sumber": "SD"}).text).rows
    assert (by_source[KOTA]["active"], by_source[KAUR]["active"]) == ("1", "2")
    assert by_source[KOTA]["gap-jiwa"] == "-"  # a gap only means something for everyone


def test_the_map_colours_child_kab_kota_when_boundaries_are_loaded(client, disnaker_provinsi, computed, boundaries):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE).text
    svg = html.split('data-testid="map"')[1].split("</svg>")[0]
    assert svg.count("<path") == 2
    assert f'href="/dasbor/wilayah/{KOTA}/?bulan=2026-05"' in svg
    assert "Batas wilayah indikatif, bukan batas resmi." in svg
    assert "Tanpa batas wilayah:" in html  # the eight kab/kota without an outline are named


def test_without_boundaries_the_bar_chart_stands_alone_and_says_why(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE).text
    assert 'data-testid="map"' not in html
    assert 'data-testid="bar-chart"' in html
    assert "Peta tampil bila batas wilayah kab/kota sudah dimuat (batas indikatif)." in html


def other_kab_kota_canaries() -> list[str]:
    """Names and codes of everything in Bengkulu outside Kota Bengkulu, as they could appear on a page."""
    canaries = ["Gedung Wani", "dd-gedung-wani", "KANARI"]
    for region in Region.objects.filter(level=Region.Level.KABKOTA).exclude(code=KOTA):
        canaries += [region.name, f'"{region.code}', f"/{region.code}/"]
    return canaries


def test_a_kota_bengkulu_users_dashboard_shows_nothing_of_other_kab_kota(client, disnaker_kota_bengkulu, regions):
    build_world(marker=" KANARI")
    Program = type(Enrolment.objects.first().program)
    Program.objects.filter(owner_region_id="17.71.05.1001").update(name="Dana Desa Kandang")  # own program
    Program.objects.filter(owner_region_id="17").update(name="APBD Provinsi Bengkulu")  # above: may be read
    coverage_compute_month(month=D(2026, 4, 1))
    coverage_compute_month(month=MAY)
    client.force_login(disnaker_kota_bengkulu)
    pages = {
        "root": client.get(reverse("monitoring:dashboard")),
        "own": client.get(f"/dasbor/wilayah/{KOTA}/"),
        "rentan": client.get(f"/dasbor/wilayah/{KOTA}/", {"ukuran": "rentan", "sumber": "SD"}),
        "foreign program": client.get(f"/dasbor/wilayah/{KOTA}/", {"program": "dd-gedung-wani"}),
        "kecamatan": client.get("/dasbor/wilayah/17.71.05/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert shown(html, "dashboard-title") in ("Kota Bengkulu", "Kecamatan Kampung Melayu"), name
        leaked = [canary for canary in other_kab_kota_canaries() if canary in html]
        assert leaked == [], f"{name}: {leaked}"
    assert shown(pages["own"].text, "active") == "4"
    assert "Program yang diminta tidak ditemukan" in pages["foreign program"].text
    export = client.get(f"/dasbor/wilayah/{KOTA}/ekspor/")
    cells = [str(c) for row in read_xlsx(export.getvalue()) for c in row if c is not None]
    assert not [c for c in cells for canary in other_kab_kota_canaries() if canary.strip('"/') in c]


@pytest.mark.parametrize("code", [KAUR, "17", "17.04.01", "99.99"])
def test_a_region_outside_the_scope_answers_like_a_missing_one(client, disnaker_kota_bengkulu, computed, code):
    client.force_login(disnaker_kota_bengkulu)
    assert client.get(f"/dasbor/wilayah/{code}/").status_code == 404
    assert client.get(f"/dasbor/wilayah/{code}/ekspor/").status_code == 404


def test_a_branch_officer_sees_the_kab_kota_of_the_branch_side_by_side(client, bpjs_cabang, computed):
    client.force_login(bpjs_cabang)
    html = client.get(reverse("monitoring:dashboard")).text
    assert set(table_of(html).rows) == {KOTA, "17.09", ""}  # the branch's two kab/kota and their sum
    assert shown(html, "active") == "4"
    assert "Kaur" not in html


def read_xlsx(data: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    width = len(rows[0])
    return [tuple(row) + (None,) * (width - len(row)) for row in rows]  # empty trailing cells are not written


def test_the_exported_table_agrees_with_the_page(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE, {"bulan": "2026-05"}).text
    response = client.get(reverse("monitoring:export_region", args=["17"]), {"bulan": "2026-05"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.getvalue())
    header, data = rows[0], rows[1:]
    column = {name: header.index(name) for name in header}
    page = table_of(html)
    assert [row[0] for row in data] == page.order  # same regions, same order, the total last
    for row in data:
        cells = page.rows[row[0]]
        assert format_number(row[column["Peserta aktif"]]) == cells["active"]
        assert (format_percent(row[column["Cakupan UCJ (%)"]]) or "-") == cells["coverage-ucj"]
        assert (format_percent(row[column["Cakupan pekerja rentan (%)"]]) or "-") == cells["coverage-rentan"]
        gap = row[column["Kekurangan jiwa"]]
        assert (format_number(gap) if gap is not None else "-") == cells["gap-jiwa"]
        need = row[column["Kebutuhan anggaran setahun (Rp)"]]
        assert (format_rupiah(need) if need is not None else "-") == cells["gap-rupiah"]
    total = data[-1]
    assert total[column["Peserta aktif"]] == int(shown(html, "active")) == 7
    assert total[column["Kebutuhan anggaran setahun (Rp)"]] == 13 * 16800 * 12


def test_exported_text_cells_cannot_run_as_formulas(client, disnaker_provinsi, computed):
    Region.objects.filter(code="17.02").update(name='=HYPERLINK("http://example.invalid")')
    client.force_login(disnaker_provinsi)
    rows = read_xlsx(client.get(reverse("monitoring:export_region", args=["17"])).getvalue())
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://example.invalid")' in names


def more_people(count: int, *, serial_from: int = 100) -> None:
    """Extra participants over more desa and kecamatan, for the query-count comparison."""
    program = type(Enrolment.objects.first().program).objects.get(code="apbd-provinsi")
    desa = list(Region.objects.filter(level=Region.Level.DESA, code__startswith="17.").values_list("code", flat=True))
    nelayan = Occupation.objects.get(code="nelayan")
    for i in range(count):
        code = desa[(i * 37) % len(desa)]
        person = Participant.objects.create(
            nik=nik(code, serial_from + i, "L"),
            nama=f"Tambahan {i}",
            tanggal_lahir=D(1985, 6, 15),
            jenis_kelamin="L",
            desa_id=code,
            pekerjaan=nelayan,
        )
        Enrolment.objects.create(participant=person, program=program, funding_source="SG", start_month=D(2025, 1, 1))


def count_queries(client, path, **params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("path", [PROVINCE, f"/dasbor/wilayah/{KOTA}/", "/dasbor/wilayah/17.71.05/", "/dasbor/"])
def test_the_number_of_queries_does_not_grow_with_the_data(client, disnaker_provinsi, computed, path):
    from django.core.cache import cache

    client.force_login(disnaker_provinsi)
    client.get(path)  # warm the session
    cache.clear()
    small_cold = count_queries(client, path)
    small_warm = count_queries(client, path)
    cache.clear()
    small_filtered = count_queries(client, path, program="apbd-provinsi", sumber="SG")
    more_people(150)
    for month in range(1, 13):
        coverage_compute_month(month=D(2025, month, 1))
    coverage_compute_month(month=MAY)
    assert CoverageSnapshot.objects.filter(month=MAY).count() > 300
    cache.clear()
    large_cold = count_queries(client, path)
    large_warm = count_queries(client, path)
    assert len(large_cold) == len(small_cold) == len(small_filtered) <= 30
    assert len(large_warm) == len(small_warm) < len(small_cold)  # the rendered figures come from the cache
    # Nothing reads enrolments, and participants only as the claims summary's join from claims.
    assert not [q for q in large_cold if "participants_enrolment" in q]
    assert not [q for q in large_cold if "participants_participant" in q and "claims_" not in q]


def test_a_recomputed_month_shows_at_once_despite_the_cache(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    assert shown(client.get(PROVINCE).text, "active") == "7"
    Enrolment.objects.filter(participant=computed.people["A"]).update(end_month=D(2026, 4, 1))
    assert shown(client.get(PROVINCE).text, "active") == "7"  # the snapshot, not the live table
    coverage_compute_month(month=MAY)
    assert shown(client.get(PROVINCE).text, "active") == "6"


def test_a_pimpinan_lands_on_the_dashboard(client, sekda, computed):
    client.force_login(sekda)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'data-testid="dashboard"' in response.text
    assert "Selamat datang, sekda" in response.text
    assert shown(response.text, "active") == "7"
    assert 'data-testid="recompute"' not in response.text  # pimpinan read; they do not recompute


@pytest.mark.parametrize(
    "persona", ["disnaker_provinsi", "disnaker_kota_bengkulu", "disnaker_desa", "bpjs_cabang", "sekda", "administrator"]
)
def test_every_role_gets_a_dashboard_and_a_menu_item(client, request, persona, computed):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    assert 'href="/dasbor/"' in response.text


def test_before_any_computation_the_dashboard_explains_itself(client, disnaker_kota_bengkulu, sekda, world):
    client.force_login(disnaker_kota_bengkulu)
    html = client.get(reverse("monitoring:dashboard")).text
    assert "belum pernah dihitung" in html
    assert 'data-testid="recompute"' in html
    client.force_login(sekda)
    assert 'data-testid="recompute"' not in client.get(reverse("monitoring:dashboard")).text


def test_a_month_not_computed_falls_back_to_the_latest_and_says_so(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE, {"bulan": "2020-01"}).text
    assert "belum dihitung; ditampilkan bulan terakhir" in html
    assert shown(html, "active") == "7"
    april = client.get(PROVINCE, {"bulan": "2026-04"}).text
    assert shown(april, "active") == "6"
    assert "bulan lalu belum dihitung" in shown(april, "active-change")


def test_the_pekerja_rentan_measure_draws_coverage_of_the_semesta(client, disnaker_provinsi, computed):
    client.force_login(disnaker_provinsi)
    html = client.get(PROVINCE, {"ukuran": "rentan"}).text
    chart = html.split('data-testid="bar-chart"')[1].split("</svg>")[0]
    assert "8,00%" in chart  # Kota: 4 of a semesta of 50
    assert "Cakupan pekerja rentan per wilayah" in chart or "cakupan pekerja rentan per wilayah" in chart
