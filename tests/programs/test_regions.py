import json
import time

import pytest
from django.core.management import call_command

from programs.models import Region, RegionBoundary
from programs.services import BoundaryFileError, boundaries_load, regions_load

BENGKULU_KABKOTA = {
    "17.01": "Kabupaten Bengkulu Selatan",
    "17.02": "Kabupaten Rejang Lebong",
    "17.03": "Kabupaten Bengkulu Utara",
    "17.04": "Kabupaten Kaur",
    "17.05": "Kabupaten Seluma",
    "17.06": "Kabupaten Mukomuko",
    "17.07": "Kabupaten Lebong",
    "17.08": "Kabupaten Kepahiang",
    "17.09": "Kabupaten Bengkulu Tengah",
    "17.71": "Kota Bengkulu",
}


@pytest.mark.django_db
def test_load_regions_loads_the_full_kemendagri_2025_hierarchy_quickly_and_idempotently():
    started = time.monotonic()
    call_command("load_regions")
    first_run = time.monotonic() - started

    counts = {level: Region.objects.filter(level=level).count() for level in Region.Level.values}
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert first_run < 60  # the bound; a benchmark reports the real figure

    assert regions_load() == {"created": 0, "updated": 0, "unchanged": 91599}


@pytest.mark.django_db
def test_bengkulu_has_its_ten_kabupaten_kota_with_the_right_codes(regions):
    bengkulu = Region.objects.get(code="17")
    assert bengkulu.level == Region.Level.PROVINSI
    assert str(bengkulu) == "Provinsi Bengkulu"
    children = dict(bengkulu.children.values_list("code", "name"))
    assert children == BENGKULU_KABKOTA
    assert Region.objects.get(code="17.71").kind == Region.Kind.KOTA
    assert Region.objects.get(code="17.04").kind == Region.Kind.KABUPATEN


@pytest.mark.django_db
def test_a_desa_knows_its_level_parent_chain_and_postal_code(regions):
    desa = Region.objects.select_related("parent__parent__parent").get(code="17.71.05.1001")
    assert desa.level == Region.Level.DESA
    assert desa.parent.code == "17.71.05"
    assert desa.parent.parent.code == "17.71"
    assert desa.parent.parent.parent.code == "17"
    assert len(desa.postal_code) == 5
    assert desa.ancestor_codes() == ["17", "17.71", "17.71.05"]


@pytest.mark.django_db
def test_reloading_repairs_a_region_that_was_changed_by_hand(regions):
    Region.objects.filter(code="17.71").update(name="Kota Salah")
    result = regions_load(only=("17",))
    assert result["updated"] == 1
    assert Region.objects.get(code="17.71").name == "Kota Bengkulu"


def write_geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def square(code, x):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": code},
        "geometry": {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]},
    }


@pytest.mark.django_db
def test_boundaries_load_kabkota_polygons_and_skip_unknown_codes(regions, tmp_path):
    path = write_geojson(tmp_path / "batas.geojson", [square("17.71", 0), square("17.04", 2), square("99.99", 4)])

    result = boundaries_load(path=path)

    assert result == {"loaded": 2, "skipped": 1}
    assert set(RegionBoundary.objects.values_list("region_id", flat=True)) == {"17.71", "17.04"}
    assert boundaries_load(path=path) == {"loaded": 2, "skipped": 1}
    assert RegionBoundary.objects.count() == 2


@pytest.mark.django_db
def test_a_broken_boundary_file_is_refused_with_a_message_in_indonesian(regions, tmp_path):
    path = tmp_path / "rusak.geojson"
    path.write_text("{ bukan json")
    with pytest.raises(BoundaryFileError, match="tidak dapat dibaca"):
        boundaries_load(path=path)
    assert not RegionBoundary.objects.exists()


@pytest.mark.django_db
def test_load_boundaries_degrades_gracefully_when_no_file_is_available(regions, tmp_path, capsys):
    call_command("load_boundaries", str(tmp_path / "tidak-ada.geojson"), "--if-available")
    assert "diganti grafik batang" in capsys.readouterr().out
    assert not RegionBoundary.objects.exists()
