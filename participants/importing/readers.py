"""Streaming readers for uploaded lists: ``csv`` for CSV, python-calamine for XLSX (and old XLS)."""

import codecs
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from participants.importing.columns import Column, HeaderMap, header_score, map_header, missing_header_message
from rentan.uploads import UploadRefused, check_spreadsheet

HEADER_SEARCH_ROWS = 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_DELIMITERS = (";", ",", "\t", "|")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message tells the uploader why, in Indonesian."""


def file_kind(path: str | os.PathLike) -> str:
    """``"xlsx"`` for spreadsheets (by content, whatever the name says), ``"csv"`` for text."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic in (_ZIP_MAGIC, _OLE_MAGIC):
        return "xlsx"
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise ImportFileError(_("Berkas %(name)s bukan berkas Excel yang utuh.") % {"name": Path(path).name})
    return "csv"


def _csv_encoding(sample: bytes) -> str:
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page.
        return "cp1252"
    return "utf-8-sig"


def _csv_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:10] if line.strip()]
    best, best_count = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > best_count:
            best, best_count = delimiter, count
    return best


class SourceFile:
    """An uploaded list, read row by row: ``rows()`` yields (line number as the user sees it, cells)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():
            raise ImportFileError(_("Berkas %(name)s tidak ditemukan.") % {"name": self.path.name})
        try:
            # Before any reader opens it: content type, zip bomb and XML entity checks (rentan/uploads.py).
            check_spreadsheet(self.path, verify=True)
        except UploadRefused as error:
            raise ImportFileError(str(error)) from error
        self.kind = file_kind(self.path)
        self.size = self.path.stat().st_size or 1
        self._position = lambda: 0.0

    @property
    def progress(self) -> float:
        """How far reading has come, from 0 to 1."""
        return min(1.0, self._position())

    def rows(self) -> Iterator[tuple[int, list]]:
        yield from (self._xlsx_rows() if self.kind == "xlsx" else self._csv_rows())

    def _csv_rows(self):
        with open(self.path, "rb") as raw:
            sample = raw.read(65536)
            raw.seek(0)
            encoding = _csv_encoding(sample)
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            delimiter = _csv_delimiter(sample.decode(encoding, errors="replace"))
            self._position = lambda: raw.tell() / self.size
            yield from enumerate(csv.reader(text, delimiter=delimiter), start=1)
        self._position = lambda: 1.0

    def _xlsx_rows(self):
        from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            names = [
                meta.name
                for meta in workbook.sheets_metadata
                if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet
            ] or workbook.sheet_names
            sheet = workbook.get_sheet_by_name(names[0])
        except (CalamineError, OSError, ValueError, IndexError) as error:
            raise ImportFileError(
                _("Berkas Excel tidak dapat dibaca (%(error)s). Simpan ulang sebagai .xlsx lalu unggah lagi.")
                % {"error": error}
            ) from error
        first = (sheet.start or (0, 0))[0] + 1
        total = max(sheet.height, 1)
        done = [0]
        self._position = lambda: done[0] / total
        for offset, cells in enumerate(sheet.iter_rows()):
            done[0] = offset + 1
            yield first + offset, cells


def is_blank(cells) -> bool:
    for cell in cells:  # usually returns at the first cell
        if cell is None:
            continue
        if type(cell) is not str or (cell and not cell.isspace()):
            return False
    return True


def rows_after_header(source: SourceFile, columns: list[Column]) -> tuple[HeaderMap, int, Iterator[tuple[int, list]]]:
    """Find the header row among the first rows (title rows above it are skipped) and return the data rows."""
    rows = source.rows()
    best, best_score = None, -1
    for _index in range(HEADER_SEARCH_ROWS):
        try:
            line, cells = next(rows)
        except StopIteration:
            break
        score = header_score(cells, columns)
        if score > best_score:
            best, best_score = cells, score
        if score == sum(1 for c in columns if c.required):
            mapping = map_header(cells, columns)
            return mapping, line, (row for row in rows if not is_blank(row[1]))
    mapping = map_header(best or [], columns)
    missing = [str(c.label) for c in columns if c.required and c.name not in mapping.positions]
    raise ImportFileError(missing_header_message(missing, columns))
