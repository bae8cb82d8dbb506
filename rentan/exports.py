"""Spreadsheet and CSV output: every export, report and download that writes cells goes through here.

Cells that begin with ``= + - @`` (or a tab or carriage return) are neutralised with a leading apostrophe, so a
spreadsheet never runs a formula that came from data people typed (CSV/formula injection, OWASP). NIK, phone and
KPJ numbers are written as text: Excel keeps only 15 significant digits of a number.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator

from django.http import FileResponse, StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what Excel expects under Indonesian regional settings (the decimal mark is a comma)


def neutralise(value):
    """``"=1+1"`` → ``"'=1+1"``; anything that is not such a string comes back unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_xlsx(
    target,
    *,
    header: list[str],
    rows: Iterable[Iterable],
    sheet_title: str = "Data",
    text_columns: Iterable[int] = (),
    widths: dict[int, int] | None = None,
) -> int:
    """Stream rows into an XLSX file (openpyxl write-only mode); returns the number of data rows.

    ``text_columns`` are column positions whose cells are stored as text with the text number format ``@``.
    Dates get the ``dd-mm-yyyy`` format.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    text = frozenset(text_columns)
    for position, width in (widths or {}).items():
        sheet.column_dimensions[get_column_letter(position + 1)].width = width
    bold = Font(bold=True)
    heading = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=neutralise(str(title)))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    count = 0
    for row in rows:
        cells = []
        for position, value in enumerate(row):
            if position in text:
                cell = WriteOnlyCell(sheet, value=neutralise("" if value is None else str(value)))
                cell.number_format = "@"
                cells.append(cell)
            elif isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=_local(value))
                cell.number_format = "dd-mm-yyyy hh:mm" if isinstance(value, datetime.datetime) else "dd-mm-yyyy"
                cells.append(cell)
            else:
                cells.append(neutralise(value))
        sheet.append(cells)
        count += 1
    workbook.save(target)
    return count


def _local(value: datetime.date) -> datetime.date:
    """Spreadsheets have no time zones: aware datetimes are written in local time (Asia/Jakarta)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    return value


def xlsx_response(filename: str, **kwargs) -> FileResponse:
    """An XLSX download written through :func:`write_xlsx` to a temporary file (write-only mode streams rows)."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when the download ends
    write_xlsx(handle, **kwargs)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text line by line, every field quoted (so numbers stay text) and neutralised; starts with a BOM."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([neutralise(str(title)) for title in header])
    for row in rows:
        yield writer.writerow([neutralise(_csv_text(value)) for value in row])


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value)


def csv_response(filename: str, *, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
