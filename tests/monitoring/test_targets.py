"""Targets and denominators: forms scoped to the user's regions, and an all-or-nothing CSV import."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.services import parse_number
from programs.models import RegionTarget
from rentan.models import AuditEvent

pytestmark = pytest.mark.django_db

FORM = {
    "region": "17.71",
    "year": "2026",
    "indicator": "UCJ_TARGET_PCT",
    "value": "48,5",
    "source": "RPJMD",
    "note": "",
}


def csv_file(text: str, name: str = "target.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")


def test_an_operator_enters_a_target_for_their_own_region(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("monitoring:target_create"), FORM)
    assert response.status_code == 302
    target = RegionTarget.objects.get()
    assert (target.region_id, target.year, target.value, target.source) == ("17.71", 2026, Decimal("48.50"), "RPJMD")
    assert AuditEvent.objects.filter(action="create", object_type="programs.RegionTarget", region_code="17.71").exists()


def test_a_target_outside_the_operators_region_is_refused(client, disnaker_kota_bengkulu):
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("monitoring:target_create"), {**FORM, "region": "17.04"})
    assert response.status_code == 200
    assert "tidak dikenal atau di luar wilayah kerja Anda" in response.text
    assert not RegionTarget.objects.exists()


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("UCJ_TARGET_PCT", "148", "paling besar 100"),
        ("PENDUDUK_BEKERJA", "1000,5", "bilangan bulat"),
        ("SEMESTA_RENTAN", "-3", "tidak boleh negatif"),
    ],
)
def test_values_must_fit_their_indicator(client, disnaker_provinsi, indicator, value, message):
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:target_create"), {**FORM, "indicator": indicator, "value": value})
    assert message in response.text
    assert not RegionTarget.objects.exists()


def test_a_second_target_for_the_same_region_year_and_indicator_is_refused(client, disnaker_provinsi):
    RegionTarget.objects.create(region_id="17.71", year=2026, indicator="UCJ_TARGET_PCT", value=48, source="RPJMD")
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:target_create"), FORM)
    assert response.status_code == 200
    assert RegionTarget.objects.count() == 1


def test_editing_keeps_the_old_value_in_the_audit_trail(client, disnaker_kota_bengkulu):
    target = RegionTarget.objects.create(
        region_id="17.71", year=2026, indicator="UCJ_TARGET_PCT", value=40, source="RPJMD"
    )
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("monitoring:target_edit", args=[target.pk]), FORM)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.value == Decimal("48.50")
    change = AuditEvent.objects.get(action="update", object_type="programs.RegionTarget")
    assert change.changes["value"] == ["40.00", "48.50"]


def test_a_foreign_target_answers_like_a_missing_one(client, disnaker_kota_bengkulu):
    kaur = RegionTarget.objects.create(
        region_id="17.04", year=2026, indicator="UCJ_TARGET_PCT", value=40, source="RPJMD"
    )
    client.force_login(disnaker_kota_bengkulu)
    assert client.get(reverse("monitoring:target_edit", args=[kaur.pk])).status_code == 404
    assert client.get(reverse("monitoring:target_edit", args=[kaur.pk + 1000])).status_code == 404
    listing = client.get(reverse("monitoring:target_list")).text
    assert "Kaur" not in listing


@pytest.mark.parametrize("persona", ["sekda", "bpjs_cabang"])
def test_pimpinan_and_bpjs_officers_read_targets_but_do_not_enter_them(client, request, persona):
    RegionTarget.objects.create(region_id="17.71", year=2026, indicator="UCJ_TARGET_PCT", value=48, source="RPJMD")
    client.force_login(request.getfixturevalue(persona))
    listing = client.get(reverse("monitoring:target_list"))
    assert listing.status_code == 200 and "48,00%" in listing.text
    assert client.get(reverse("monitoring:target_create")).status_code == 403
    assert client.post(reverse("monitoring:target_create"), FORM).status_code == 403
    assert client.get(reverse("monitoring:target_import")).status_code == 403


GOOD_CSV = """kode_wilayah;tahun;indikator;nilai;sumber;keterangan
17;2026;UCJ_TARGET_PCT;48;KEMENDAGRI;Target UCJ
17;2026;PENDUDUK_BEKERJA;1.045.200;BPS;Sakernas Agustus 2025
17.71;2026;Semesta pekerja rentan;85.000;P3KE/DTSEN;
17.71;2026;TARGET_JIWA_RENTAN;59500;rpjmd;70% semesta
"""


def test_a_csv_of_targets_is_imported_and_a_second_import_changes_nothing(client, disnaker_provinsi):
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:target_import"), {"file": csv_file(GOOD_CSV)}, follow=True)
    assert "4 baru, 0 diubah, 0 tidak berubah" in response.text
    values = {(t.region_id, t.indicator): (t.value, t.source) for t in RegionTarget.objects.all()}
    assert values == {
        ("17", "UCJ_TARGET_PCT"): (Decimal("48.00"), "KEMENDAGRI"),
        ("17", "PENDUDUK_BEKERJA"): (Decimal("1045200.00"), "BPS"),
        ("17.71", "SEMESTA_RENTAN"): (Decimal("85000.00"), "P3KE"),
        ("17.71", "TARGET_JIWA_RENTAN"): (Decimal("59500.00"), "RPJMD"),
    }
    again = client.post(reverse("monitoring:target_import"), {"file": csv_file(GOOD_CSV)}, follow=True)
    assert "0 baru, 0 diubah, 4 tidak berubah" in again.text
    changed = GOOD_CSV.replace("UCJ_TARGET_PCT;48;", "UCJ_TARGET_PCT;52,15;")
    third = client.post(reverse("monitoring:target_import"), {"file": csv_file(changed)}, follow=True)
    assert "0 baru, 1 diubah, 3 tidak berubah" in third.text
    assert RegionTarget.objects.get(region_id="17", indicator="UCJ_TARGET_PCT").value == Decimal("52.15")


def test_one_bad_line_refuses_the_whole_file_with_line_numbered_reasons(client, disnaker_kota_bengkulu):
    text = """kode_wilayah,tahun,indikator,nilai,sumber,keterangan
17.71,2026,UCJ_TARGET_PCT,48,RPJMD,
17.04,2026,UCJ_TARGET_PCT,48,RPJMD,di luar wilayah kerja
17.71,1999,TARGET_JIWA_RENTAN,10,RPJMD,
17.71,2026,TARGET_JIWA,10,RPJMD,
17.71,2026,SEMESTA_RENTAN,banyak,RPJMD,
17.71,2026,PENDUDUK_BEKERJA,100,Sensus,
17.71,2027,UCJ_TARGET_PCT,120,RPJMD,
17.71,2026,UCJ_TARGET_PCT,50,RPJMD,
"""
    client.force_login(disnaker_kota_bengkulu)
    response = client.post(reverse("monitoring:target_import"), {"file": csv_file(text)})
    assert response.status_code == 200
    errors = response.text.split('data-testid="import-errors"')[1].split("</div>")[0]
    assert "Berkas ditolak; tidak ada yang disimpan." in errors
    assert "Baris 3: kode wilayah 17.04 tidak dikenal atau di luar wilayah kerja Anda." in errors
    assert "Baris 4: tahun 1999 tidak sah" in errors
    assert "Baris 5: indikator TARGET_JIWA tidak dikenal" in errors
    assert "Baris 6: nilai banyak bukan angka." in errors
    assert "Baris 7: sumber Sensus tidak dikenal" in errors
    assert "Baris 8: Target UCJ adalah persen: paling besar 100." in errors
    assert "Baris 9: sama dengan baris 2 (wilayah, tahun dan indikator)." in errors
    assert "Baris 2" not in errors.replace("baris 2 (", "")
    assert not RegionTarget.objects.exists()


def test_a_file_without_the_expected_columns_is_refused_on_line_one(client, disnaker_provinsi):
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:target_import"), {"file": csv_file("wilayah;target\n17;48\n")})
    assert "Baris 1: kolom kode_wilayah, tahun, indikator, nilai, sumber tidak ada." in response.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48", Decimal(48)),
        ("48,5", Decimal("48.5")),
        ("48.5", Decimal("48.5")),
        ("52,15%", Decimal("52.15")),
        ("1.045.200", Decimal(1045200)),
        ("1.045.200,5", Decimal("1045200.5")),
        ("85.000", Decimal(85000)),
        ("1234567", Decimal(1234567)),
    ],
)
def test_numbers_are_read_as_indonesian_spreadsheets_write_them(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "banyak", "1,2,3", "NaN", "Infinity"])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_the_target_list_filters_by_year_and_region(client, disnaker_provinsi):
    for region, year in (("17", 2026), ("17.71", 2026), ("17.71", 2025), ("17.04", 2026)):
        RegionTarget.objects.create(region_id=region, year=year, indicator="UCJ_TARGET_PCT", value=48, source="RPJMD")
    client.force_login(disnaker_provinsi)
    response = client.get(reverse("monitoring:target_list"), {"wilayah": "17.71", "tahun": "2026"})
    assert response.status_code == 200
    rows = response.text.split('data-testid="targets"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 2  # the header and Kota Bengkulu 2026
    assert "Kota Bengkulu" in rows and "Kaur" not in rows
