"""Real headless Chromium: a Sekda lands on the province dashboard and drills down by clicking the map and the chart."""

import json
import re

import pytest

from monitoring.coverage import coverage_compute_month
from programs.services import boundaries_load
from tests.conftest import PASSWORD
from tests.monitoring.world import KAUR, KOTA, MAY, build_world
from tests.test_browser import ARTIFACTS, log_in, page  # noqa: F401 - the Chromium page fixture

pytestmark = pytest.mark.browser


def square(x0, y0=-4.0):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + 1, y0], [x0 + 1, y0 + 1], [x0, y0 + 1], [x0, y0]]]}


@pytest.fixture
def province_world(django_db_serialized_rollback, transactional_db, regions, sekda, tmp_path):
    """The hand-built world computed for April and May, with made-up outlines for two kab/kota.

    Built before the page fixture opens Chromium (the ORM is not used once Playwright runs).
    """
    build_world(double_funding=False)  # committed data: no constraint tricks here (see world.py)
    coverage_compute_month(month=MAY.replace(month=4))
    coverage_compute_month(month=MAY)
    path = tmp_path / "batas.geojson"
    features = [
        {"type": "Feature", "properties": {"code": code}, "geometry": square(x)}
        for code, x in ((KOTA, 102.2), (KAUR, 103.4))
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    boundaries_load(path=path, source="uji")
    return sekda


def test_a_sekda_clicks_from_the_province_map_and_chart_into_a_kab_kota(province_world, live_server, page):  # noqa: F811
    from playwright.sync_api import expect

    log_in(page, live_server, province_world.username, PASSWORD)
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Provinsi Bengkulu")
    expect(page.get_by_test_id("active")).to_have_text("7")
    expect(page.get_by_test_id("map")).to_contain_text("Batas wilayah indikatif, bukan batas resmi.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-province.png"), full_page=True)

    page.get_by_test_id("map").locator(f'a[href^="/dasbor/wilayah/{KAUR}/"] path').click()
    expect(page).to_have_url(re.compile(rf"/dasbor/wilayah/{re.escape(KAUR)}/\?bulan=2026-05$"))
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Kabupaten Kaur")
    expect(page.get_by_test_id("active")).to_have_text("3")

    page.go_back()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Provinsi Bengkulu")
    page.get_by_test_id("bar-chart").locator(f'a[href^="/dasbor/wilayah/{KOTA}/"] text').click()
    expect(page).to_have_url(re.compile(rf"/dasbor/wilayah/{re.escape(KOTA)}/\?bulan=2026-05$"))
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Kota Bengkulu")
    expect(page.get_by_test_id("active")).to_have_text("4")
    # One level further, through the table: Kecamatan Kampung Melayu, then back up by the breadcrumb.
    page.get_by_test_id("region-table").get_by_role("link", name="Kecamatan Kampung Melayu").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Kecamatan Kampung Melayu")
    expect(page.get_by_test_id("active")).to_have_text("3")
    page.screenshot(path=str(ARTIFACTS / "dashboard-kecamatan.png"), full_page=True)
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Provinsi Bengkulu").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Provinsi Bengkulu")
