"""Exports keep NIKs as text and never carry a live formula; BPJS's registration list and its reply."""

import datetime
import io

import pytest
import tablib
from django.urls import reverse
from openpyxl import load_workbook

from participants import services
from participants.models import ImportBatch, ImportIssue, Participant
from participants.resources import ParticipantResource
from rentan.exports import csv_lines, neutralise, write_xlsx
from rentan.models import AuditEvent
from tests.factories import EnrolmentFactory, ParticipantFactory
from tests.participants.conftest import person, write_csv
from tests.participants.conftest import write_xlsx as write_list

pytestmark = pytest.mark.usefixtures("regions")


@pytest.mark.parametrize("value", ["=1+1", "+62812", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_cells_that_could_start_a_formula_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Budi", "1771051506850001", "", None, 5, datetime.date(2025, 1, 1)])
def test_other_values_pass_unchanged(value):
    assert neutralise(value) == value


def test_the_xlsx_writer_stores_text_columns_as_text_and_neutralises_every_cell(tmp_path):
    path = tmp_path / "x.xlsx"
    write_xlsx(
        path,
        header=["NIK", "Nama", "Lahir"],
        rows=[["1771051506850001", '=HYPERLINK("x")', datetime.date(1985, 6, 15)]],
        text_columns=[0],
    )  # noqa: E501
    sheet = load_workbook(path).active
    nik, nama, lahir = sheet[2]
    assert (nik.value, nik.data_type, nik.number_format) == ("1771051506850001", "s", "@")
    assert nama.value == '\'=HYPERLINK("x")'
    assert nama.data_type == "s"
    assert lahir.value == datetime.datetime(1985, 6, 15)  # noqa: DTZ001 - spreadsheets store naive dates


def test_csv_lines_quote_every_field_and_neutralise(tmp_path):
    text = "".join(csv_lines(["NIK", "Nama"], [["1771051506850001", "=cmd"]]))
    assert text.startswith("\ufeff")
    assert '"1771051506850001";"\'=cmd"' in text


@pytest.fixture
def listed(regions, program_kota):
    formula = ParticipantFactory(
        nama='=HYPERLINK("http://contoh","klik")', desa_id="17.71.05.1001", no_hp="081200000001"
    )
    plain = ParticipantFactory(nama="Budi Contoh", desa_id="17.71.01.1001", kpj="12345678901")
    ParticipantFactory(nama="Warga Kaur", desa_id="17.04.01.2001")
    EnrolmentFactory(participant=formula, program=program_kota)
    EnrolmentFactory(participant=plain, program=program_kota)
    return formula, plain


def test_the_filtered_list_exports_to_xlsx_with_nik_as_text_and_formulas_neutralised(
    client, disnaker_kota_bengkulu, listed
):
    formula, plain = listed
    client.force_login(disnaker_kota_bengkulu)

    response = client.get(reverse("participants:export", args=["xlsx"]), {"wilayah": "17.71.05"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1  # only the filtered row, nothing from Kaur
    nik, nama = rows[0][0], rows[0][1]
    # The NIK is masked in every list export (the full one leaves only in BPJS's registration list).
    assert (nik.value, nik.data_type) == (f"{formula.nik[:4]}••••••••{formula.nik[-4:]}", "s")
    assert nama.value.startswith("'=HYPERLINK")
    assert rows[0][10].value == "081200000001" and rows[0][10].data_type == "s"
    assert AuditEvent.objects.filter(action="export", object_type="participants.participant_list").exists()


def test_the_list_exports_to_csv_too(client, disnaker_kota_bengkulu, listed):
    formula, plain = listed
    client.force_login(disnaker_kota_bengkulu)
    response = client.get(reverse("participants:export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert f'"{plain.nik[:4]}••••••••{plain.nik[-4:]}";"Budi Contoh"' in text
    assert plain.nik not in text
    assert "\"'=HYPERLINK" in text
    assert "Warga Kaur" not in text
    assert '"12345678901"' in text


def test_the_bpjs_collective_registration_has_the_columns_a_branch_needs(client, bpjs_cabang, listed, program_kota):
    client.force_login(bpjs_cabang)  # full NIKs: only for roles that may reveal them
    response = client.get(reverse("participants:bpjs_registration", args=[program_kota.code]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    assert header[:7] == ["No", "NIK", "Nama", "Tempat lahir", "Tanggal lahir", "Jenis kelamin", "Alamat"]
    assert {"Pekerjaan", "No HP", "Program", "Penghasilan (Rp)"} <= set(header)
    row = [cell.value for cell in sheet[2]]
    assert row[header.index("Program")] == "JKK + JKM"
    assert row[header.index("Penghasilan (Rp)")] == 1000000
    assert sheet.max_row == 3
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_a_program_outside_the_region_has_no_registration_list(client, bpjs_cabang, program_kaur):
    client.force_login(bpjs_cabang)
    assert client.get(reverse("participants:bpjs_registration", args=[program_kaur.code])).status_code == 404


def reply_file(tmp_path, rows, name="balasan.xlsx"):
    header = ["NIK", "No KPJ", "Tgl Kepesertaan", "Status"]
    return write_list(tmp_path / name, [dict(zip(header, row, strict=True)) for row in rows], header=header)


def run_reply(user, program, path) -> ImportBatch:
    batch = services.import_batch_create(
        user=user, program=program, source_path=path, file_name=path.name, kind="BPJS_REPLY", enqueue=False
    )
    return services.bpjs_reply_import(batch_id=batch.pk)


def test_bpjs_reply_stores_kpj_and_reports_niks_in_one_list_but_not_the_other(
    tmp_path, bpjs_cabang, listed, program_kota
):
    formula, plain = listed
    stranger = person(77)["NIK"]
    path = reply_file(tmp_path, [
        (formula.nik, "23011234567", datetime.date(2025, 2, 1), "Aktif"),
        (stranger, "23019999999", "01/02/2025", "Aktif"),
    ])  # fmt: skip

    batch = run_reply(bpjs_cabang, program_kota, path)

    assert batch.status == ImportBatch.Status.DONE, batch.error_message
    formula.refresh_from_db()
    assert (formula.kpj, formula.bpjs_membership_start, formula.bpjs_status) == (
        "23011234567",
        datetime.date(2025, 2, 1),
        "AKTIF",
    )
    refused = batch.issues.get(severity=ImportIssue.Severity.REFUSED)
    assert (refused.line, refused.code, refused.nik) == (3, "not_in_list", stranger)
    missing = batch.issues.get(severity=ImportIssue.Severity.WARNING)
    assert (missing.code, missing.nik) == ("not_in_reply", plain.nik)
    assert (batch.rows_updated, batch.rows_refused, batch.rows_warned) == (1, 1, 1)

    again = run_reply(bpjs_cabang, program_kota, path)
    assert (again.rows_updated, again.rows_unchanged) == (0, 1)


def test_a_pimpinan_cannot_load_a_bpjs_reply(tmp_path, sekda, program_provinsi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run_reply(sekda, program_provinsi, reply_file(tmp_path, [("1771051506850001", "1", None, "")]))


def test_the_admin_resource_refuses_a_bad_nik_with_the_same_indonesian_reason(regions):
    good = person(5, desa="17.71.05.1001")
    dataset = tablib.Dataset(headers=["nik", "nama", "tanggal_lahir", "jenis_kelamin", "desa", "pekerjaan"])
    dataset.append([good["NIK"], "Benar", good["Tgl Lahir"], good["L/P"], "17.71.05.1001", "nelayan"])
    dataset.append(["1.7710E+15", "Salah", "01/01/1980", "L", "17.71.05.1001", "nelayan"])
    dataset.append(["1771050101800000", "Nol", "01/01/1980", "L", "17.71.05.1001", "nelayan"])

    result = ParticipantResource().import_data(dataset, dry_run=False)

    # The NIK is the row's key, so django-import-export reports its error before any other field's.
    messages = {number: " ".join(str(error.error) for error in errors) for number, errors in result.row_errors()}
    assert set(messages) == {2, 3}
    assert "digitnya hilang" in messages[2]
    assert "tidak boleh 0000" in messages[3]
    assert result.totals["new"] == 1


def test_the_admin_resource_imports_a_correction_and_exports_neutralised_text(regions):
    participant = ParticipantFactory(nama="Nama Lama", desa_id="17.71.05.1001")
    dataset = tablib.Dataset(
        headers=["nik", "nama", "tanggal_lahir", "jenis_kelamin", "desa", "pekerjaan", "data_source", "status"]
    )
    dataset.append([participant.nik, "=Nama Baru", "15/06/1985", "L", "17.71.05.1001", "nelayan", "P3KE", "AKTIF"])

    result = ParticipantResource().import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    participant.refresh_from_db()
    assert participant.nama == "=Nama Baru"
    exported = ParticipantResource().export(queryset=Participant.objects.filter(pk=participant.pk))
    assert exported.dict[0]["nama"] == "'=Nama Baru"
    assert exported.dict[0]["nik"] == participant.nik


def test_an_uploaded_list_with_a_formula_comes_back_neutralised_in_the_error_report(
    tmp_path, disnaker_kota_bengkulu, program_kota
):
    row = {**person(2), "Nama Lengkap": '=HYPERLINK("http://x","klik")', "Tgl Lahir": "99/99/1999"}
    path = write_csv(tmp_path / "rumus.csv", [row])
    batch = services.import_batch_create(
        user=disnaker_kota_bengkulu, program=program_kota, source_path=path, file_name=path.name, enqueue=False
    )
    services.import_batch_run(batch=batch)
    sheet = load_workbook(path.with_name("rumus-ditolak.xlsx")).active
    assert sheet.cell(row=2, column=3).value == '\'=HYPERLINK("http://x","klik")'
