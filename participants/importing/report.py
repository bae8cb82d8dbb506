"""The XLSX of refused rows: the original cells of each refused row plus its line, column and reason."""

import os
from pathlib import Path

from django.utils.translation import gettext as _

from participants.importing.columns import Column, HeaderMap
from participants.importing.readers import ImportFileError, SourceFile, rows_after_header
from participants.models import ImportBatch, ImportIssue
from rentan.exports import write_xlsx


def refused_by_line(batch: ImportBatch) -> dict[int | None, list[tuple[str, str]]]:
    refused: dict[int | None, list[tuple[str, str]]] = {}
    issues = batch.issues.filter(severity=ImportIssue.Severity.REFUSED).order_by("line", "pk")
    for line, column, message in issues.values_list("line", "column_name", "message").iterator(chunk_size=5000):
        refused.setdefault(line, []).append((column, message))
    return refused


def write_error_report(
    batch: ImportBatch,
    columns: list[Column],
    read: tuple[HeaderMap, list[tuple[int, list]]] | None = None,
) -> int:
    """Write ``batch.error_report_path``; re-reads the source file so the rows come back exactly as uploaded.

    ``read``: the header mapping and the refused rows ((line, cells), in line order) as the check read them, to
    write without reading the file again (a 100.000-row XLSX: ~1,1 s of parsing, holding the GIL). Refused lines
    missing from them (refused later, by the database) are left out: the caller rewrites the report then.
    """
    refused = refused_by_line(batch)
    extra = [_("Baris"), _("Kolom"), _("Alasan penolakan")]

    def with_reasons(line, cells, width):
        reasons = refused[line]
        padded = list(cells) + [None] * (width - len(cells))
        columns_text = "; ".join(dict.fromkeys(column for column, _message in reasons if column))
        return [*padded[:width], line, columns_text, "; ".join(message for _column, message in reasons)]

    try:
        if read is not None:
            mapping, rows = read
        else:
            mapping, _header_line, rows = rows_after_header(SourceFile(batch.source_path), columns)
        header = mapping.headers
        width = len(header)
        body = (with_reasons(line, cells, width) for line, cells in rows if line in refused)
        text_columns = [i for name in ("nik", "no_hp", "kpj") for i in mapping.positions.get(name, [])]
    except ImportFileError:
        # The source cannot be read (any more): list the reasons without the original cells.
        header, width, text_columns = [], 0, []
        body = (with_reasons(line, [], 0) for line in sorted(line for line in refused if line is not None))
    target = Path(batch.error_report_path)
    partial = target.with_name(f".{target.name}.part")
    count = write_xlsx(
        partial,
        header=[*header, *extra],
        rows=body,
        sheet_title=_("Baris ditolak"),
        text_columns=text_columns,
        widths={width + 2: 90},
    )
    # Readers see the old report or the new one, never half of it.
    os.replace(partial, target)
    return count
