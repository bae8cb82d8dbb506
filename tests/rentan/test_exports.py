"""write_xlsx writes the workbook XML itself: what openpyxl and python-calamine read back from it."""

import datetime
from decimal import Decimal

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from rentan.exports import write_xlsx


def test_the_workbook_reads_back_with_its_formats_and_without_live_formulas(tmp_path):
    path = tmp_path / "daftar.xlsx"
    moment = datetime.datetime(2026, 5, 4, 13, 45, tzinfo=datetime.UTC)  # 20:45 in Asia/Jakarta
    rows = [
        ["1771010101900001", datetime.date(2026, 5, 1), moment, Decimal("12.50"), True, "=1+1", "a\x01b <&>", None, 7],
        ["0812345678", None, None, 0, False, "", "Siti  Aminah", "", 8],
    ]
    count = write_xlsx(
        path,
        header=["NIK", "Bulan", "Waktu", "Rupiah", "Ya", "Rumus", "Teks", "HP", "Angka"],
        rows=iter(rows),
        sheet_title="Baris ditolak",
        text_columns=[0, 7],
        widths={6: 40},
    )

    assert count == 2
    sheet = load_workbook(path).active
    assert sheet.title == "Baris ditolak"
    assert [cell.value for cell in sheet[1]][:2] == ["NIK", "Bulan"] and sheet["A1"].font.b
    first = [cell.value for cell in sheet[2]]
    assert first == [
        "1771010101900001",
        datetime.datetime(2026, 5, 1),  # noqa: DTZ001 - spreadsheet cells are naive
        datetime.datetime(2026, 5, 4, 20, 45),  # noqa: DTZ001 - written in local time
        12.5,
        True,
        "'=1+1",
        "ab <&>",
        "",
        7,
    ]
    assert sheet["A2"].number_format == "@" and sheet["H2"].number_format == "@"
    assert sheet["B2"].number_format == "dd-mm-yyyy" and sheet["C2"].number_format == "dd-mm-yyyy hh:mm"
    assert [cell.value for cell in sheet[3]] == ["0812345678", None, None, 0, False, None, "Siti  Aminah", "", 8]
    assert sheet.column_dimensions["G"].width == 40

    # The import's own reader opens it too (staff re-upload the corrected report).
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert values[1][0] == "1771010101900001" and values[2][0] == "0812345678"
