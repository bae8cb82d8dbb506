"""Checks on an uploaded list before any reader opens it: type by content, zip bombs, XML entity tricks, text.

Every upload path that reads a spreadsheet or CSV calls :func:`check_spreadsheet` (participant lists and BPJS
replies, in the import reader and in their forms) or :func:`check_text` (monitoring targets). The readers then
only ever see a real ZIP of bounded size or decodable text:

- an ``.xlsx`` must be a ZIP whose members, summed, stay under ``UPLOAD_XLSX_MAX_UNCOMPRESSED_MB``, none
  compressed more than ``UPLOAD_XLSX_MAX_RATIO`` times, with at most ``UPLOAD_XLSX_MAX_MEMBERS`` members (a zip
  bomb is small on disk and huge once opened, so the sizes are read from the ZIP directory, never by inflating);
- its XML parts may not declare a DOCTYPE or entities (billion laughs, XXE). python-calamine does not expand
  entities and openpyxl parses through defusedxml (``rentan.checks`` fails when it would not); this check refuses
  such files up front, with a message, rather than leaving it to a parser error;
- a CSV must decode as text (no NUL bytes, few control characters).

Messages are in Bahasa Indonesia and name the file, never its content.
"""

import codecs
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (no XML inside)
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
PROLOG_BYTES = 64 * 1024  # a DOCTYPE can only stand before the root element, at the start of an XML part
TEXT_SAMPLE_BYTES = 64 * 1024
XML_SUFFIXES = (".xml", ".rels", ".vml")


class UploadRefused(ValueError):
    """An upload that must not be read; the message says why, in Bahasa Indonesia."""


def _limits() -> tuple[int, float, int]:
    return (
        settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_MB * 1024 * 1024,
        settings.UPLOAD_XLSX_MAX_RATIO,
        settings.UPLOAD_XLSX_MAX_MEMBERS,
    )


def check_xlsx(handle, name: str, *, verify: bool = False) -> None:
    """Refuse a ZIP that is not a sane spreadsheet, reading only its directory and the start of its XML parts.

    The directory states each member's size, and a crafted file can understate it. ``verify`` inflates every
    member once, in chunks, through :mod:`zipfile`, which stops at the stated size and checks the CRC: a member
    that holds more than it states fails the CRC and is refused. The import reader (worker and command) verifies;
    the upload form, which answers while the user waits, reads the directory only.
    """
    max_total, max_ratio, max_members = _limits()
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadRefused(_("Berkas %(name)s bukan berkas Excel yang utuh.") % {"name": name}) from error
    with archive:
        members = archive.infolist()
        if len(members) > max_members:
            raise UploadRefused(
                _("Berkas %(name)s berisi terlalu banyak bagian (%(count)s); ini bukan berkas Excel biasa.")
                % {"name": name, "count": len(members)}
            )
        total = sum(member.file_size for member in members)
        if total > max_total:
            raise UploadRefused(
                _(
                    "Berkas %(name)s menjadi %(size)s MB setelah dibuka, lebih dari batas %(limit)s MB. "
                    "Bagi daftar menjadi beberapa berkas."
                )
                % {"name": name, "size": total // (1024 * 1024), "limit": max_total // (1024 * 1024)}
            )
        for member in members:
            # Small parts may compress well by chance; a bomb is large and compresses absurdly well.
            if member.file_size > 1024 * 1024 and member.file_size > max_ratio * max(member.compress_size, 1):
                raise UploadRefused(
                    _(
                        "Berkas %(name)s ditolak: isinya dipadatkan secara tidak wajar (bom zip). "
                        "Simpan ulang dari Excel lalu unggah lagi."
                    )
                    % {"name": name}
                )
        for member in members:
            is_xml = member.filename.lower().endswith(XML_SUFFIXES)
            if not (is_xml or verify):
                continue
            try:
                with archive.open(member) as part:
                    prolog = part.read(PROLOG_BYTES)
                    while verify and part.read(1024 * 1024):
                        pass
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as error:
                raise UploadRefused(_("Berkas %(name)s bukan berkas Excel yang utuh.") % {"name": name}) from error
            if not is_xml:
                continue
            if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
                raise UploadRefused(
                    _(
                        "Berkas %(name)s ditolak: berisi deklarasi XML (DOCTYPE/ENTITY) yang tidak dipakai Excel "
                        "dan dapat disalahgunakan. Simpan ulang dari Excel lalu unggah lagi."
                    )
                    % {"name": name}
                )


def check_text(sample: bytes, name: str) -> str:
    """Return the encoding a CSV sample decodes with, or refuse a file that is not text."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        text = sample.decode("utf-16", errors="ignore")
    else:
        if b"\x00" in sample:
            raise UploadRefused(_("Berkas %(name)s bukan berkas teks CSV.") % {"name": name})
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            try:
                text = sample.decode("cp1252")  # Excel on Windows saves "CSV" in the ANSI code page
                encoding = "cp1252"
            except UnicodeDecodeError as error:
                raise UploadRefused(_("Berkas %(name)s bukan berkas teks CSV.") % {"name": name}) from error
    control = sum(1 for char in text if char < " " and char not in "\t\r\n\f")
    if text and control > len(text) // 100:
        raise UploadRefused(_("Berkas %(name)s bukan berkas teks CSV.") % {"name": name})
    return encoding


def check_spreadsheet(source, *, name: str | None = None, verify: bool = False) -> str:
    """Check an uploaded list (a path, or an open binary file such as Django's UploadedFile) before reading it.

    Returns ``"xlsx"`` (a checked ZIP), ``"xls"`` (old binary Excel) or ``"csv"`` (decodable text); raises
    :class:`UploadRefused`. The type comes from the content: a ``.xlsx`` that is not a ZIP is refused, a ZIP
    named ``.csv`` is checked as a spreadsheet. ``verify``: see :func:`check_xlsx`.
    """
    if isinstance(source, str | os.PathLike):
        name = name or Path(source).name
        with open(source, "rb") as handle:
            return _check_handle(handle, name, verify)
    name = name or Path(getattr(source, "name", "") or "berkas").name
    position = source.tell()
    try:
        return _check_handle(source, name, verify)
    finally:
        source.seek(position)


def _check_handle(handle, name: str, verify: bool) -> str:
    handle.seek(0)
    head = handle.read(len(ZIP_MAGIC))
    handle.seek(0)
    if head == ZIP_MAGIC:
        check_xlsx(handle, name, verify=verify)
        return "xlsx"
    if head == OLE_MAGIC:
        return "xls"
    if Path(name).suffix.lower() in SPREADSHEET_SUFFIXES:
        raise UploadRefused(_("Berkas %(name)s bukan berkas Excel yang utuh.") % {"name": name})
    check_text(handle.read(TEXT_SAMPLE_BYTES), name)
    return "csv"
