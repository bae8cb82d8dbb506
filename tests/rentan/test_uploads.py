"""Upload hardening: a zip bomb, XML entity tricks and files that lie about their type are refused with a clear
message before any reader opens them; nothing is written and nothing answers 500."""

import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.importing.readers import ImportFileError, SourceFile
from participants.models import ImportBatch, Participant
from programs.models import RegionTarget
from rentan.uploads import UploadRefused, check_spreadsheet
from tests.factories import ProgramFactory

pytestmark = pytest.mark.usefixtures("regions")

BOMB_MB = 200


def _minimal_parts(sheet_xml: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheets><sheet name="a" sheetId="1"/></sheets></workbook>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """An .xlsx that is a few hundred KB on disk and 200 MB of zeros once unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in _minimal_parts(b"<worksheet/>").items():
            archive.writestr(name, data)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(BOMB_MB):
                member.write(chunk)
    return buffer.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )  # fmt: skip
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
    b't="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
)


def test_the_zip_bomb_is_small_on_disk_and_huge_unpacked(zip_bomb):
    assert len(zip_bomb) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:
        assert sum(info.file_size for info in archive.infolist()) >= BOMB_MB * 1024 * 1024


def test_a_zip_bomb_is_refused_by_its_ratio_and_by_its_size(zip_bomb, settings):
    with pytest.raises(UploadRefused, match="bom zip"):
        check_spreadsheet(io.BytesIO(zip_bomb), name="daftar.xlsx")
    settings.UPLOAD_XLSX_MAX_RATIO = 10**6  # a lenient ratio: the total size still stops it
    settings.UPLOAD_XLSX_MAX_UNCOMPRESSED_MB = 100
    with pytest.raises(UploadRefused, match="lebih dari batas 100 MB"):
        check_spreadsheet(io.BytesIO(zip_bomb), name="daftar.xlsx")


def lying_zip() -> bytes:
    """A zip whose directory says its sheet holds 1.000 bytes when it inflates to 50 MB."""
    content = zip_bytes(_minimal_parts(b"<worksheet>" + b" " * (50 * 1024 * 1024) + b"</worksheet>"))
    real = (50 * 1024 * 1024 + 23).to_bytes(4, "little")
    assert content.count(real) == 2  # the local header and the central directory entry
    return content.replace(real, (1000).to_bytes(4, "little"))


def test_a_zip_that_understates_its_sizes_is_refused():
    content = lying_zip()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 1024 * 1024  # the directory looks harmless
    for verify in (False, True):
        with pytest.raises(UploadRefused, match="bukan berkas Excel yang utuh"):
            check_spreadsheet(io.BytesIO(content), name="daftar.xlsx", verify=verify)


def test_verification_reads_every_member_of_a_real_file(tmp_path):
    from tests.participants.conftest import person, write_xlsx

    path = write_xlsx(tmp_path / "daftar.xlsx", [person(n) for n in range(1, 200)])
    assert check_spreadsheet(path, verify=True) == "xlsx"
    assert SourceFile(path).kind == "xlsx"


def test_too_many_members_are_refused(settings):
    settings.UPLOAD_XLSX_MAX_MEMBERS = 5
    parts = _minimal_parts(b"<worksheet/>") | {f"xl/media/{n}.bin": b"x" for n in range(10)}
    with pytest.raises(UploadRefused, match="terlalu banyak bagian"):
        check_spreadsheet(io.BytesIO(zip_bytes(parts)), name="daftar.xlsx")


@pytest.mark.parametrize("sheet", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_xml_entity_declarations_are_refused(sheet):
    with pytest.raises(UploadRefused, match="DOCTYPE/ENTITY"):
        check_spreadsheet(io.BytesIO(zip_bytes(_minimal_parts(sheet))), name="daftar.xlsx")


def test_openpyxl_itself_parses_through_defusedxml():
    """Belt and braces: even a file that got past the check would not expand entities in openpyxl."""
    from defusedxml import EntitiesForbidden
    from openpyxl.xml.functions import fromstring

    with pytest.raises(EntitiesForbidden):
        fromstring(BILLION_LAUGHS)
    from django.core import checks

    assert not [e for e in checks.run_checks(tags=[checks.Tags.security]) if e.id == "rentan.E001"]


def test_the_type_comes_from_the_content():
    real = zip_bytes(_minimal_parts(b"<worksheet/>"))
    assert check_spreadsheet(io.BytesIO(real), name="daftar.csv") == "xlsx"  # a ZIP named .csv is checked as one
    assert check_spreadsheet(io.BytesIO(b"NIK;Nama\n1771;Contoh\n"), name="daftar.csv") == "csv"
    assert check_spreadsheet(io.BytesIO("NIK;Nama\nSüsi;x\n".encode("cp1252")), name="a.csv") == "csv"
    with pytest.raises(UploadRefused, match="bukan berkas Excel"):
        check_spreadsheet(io.BytesIO(b"NIK;Nama\n"), name="daftar.xlsx")
    with pytest.raises(UploadRefused, match="bukan berkas teks CSV"):
        check_spreadsheet(io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)), name="a.csv")
    with pytest.raises(UploadRefused, match="bukan berkas Excel yang utuh"):
        check_spreadsheet(io.BytesIO(b"PK\x03\x04" + b"\x00" * 100), name="daftar.xlsx")


def test_the_import_reader_refuses_before_opening(tmp_path, zip_bomb):
    """manage.py import_participants and the worker read through SourceFile: the same check runs there."""
    path = tmp_path / "bom.xlsx"
    path.write_bytes(zip_bomb)
    with pytest.raises(ImportFileError, match="bom zip"):
        SourceFile(path)


@pytest.fixture
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.mark.parametrize("kind", ["bomb", "billion-laughs", "xxe", "fake-xlsx", "binary-csv"])
def test_the_upload_pages_refuse_bad_files_with_a_message_and_write_nothing(
    client, disnaker_kota_bengkulu, private_media, zip_bomb, kind
):
    content, name = {
        "bomb": (zip_bomb, "daftar.xlsx"),
        "billion-laughs": (zip_bytes(_minimal_parts(BILLION_LAUGHS)), "daftar.xlsx"),
        "xxe": (zip_bytes(_minimal_parts(XXE)), "daftar.xlsx"),
        "fake-xlsx": (b"NIK;Nama\n1771050403850001;Contoh\n", "daftar.xlsx"),
        "binary-csv": (b"\x00\x01\x02\x03" * 500, "daftar.csv"),
    }[kind]
    program = ProgramFactory(owner_region_id="17.71")
    client.force_login(disnaker_kota_bengkulu)
    form = {"program": program.pk, "mode": "SKIP_BAD_ROWS", "data_source": "LAINNYA"}
    response = client.post(reverse("participants:import_list"), {**form, "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert "daftar" in response.text and ("ditolak" in response.text or "bukan berkas" in response.text)
    reply = client.post(reverse("participants:bpjs_reply"), {"program": program.pk,
                                                             "file": SimpleUploadedFile(name, content)})  # fmt: skip
    assert reply.status_code == 200
    assert "bukan berkas" in reply.text or "ditolak" in reply.text
    assert not ImportBatch.objects.exists()
    assert not Participant.objects.exists()
    assert not any(path.is_file() for path in private_media.rglob("*"))


def test_the_target_import_refuses_a_spreadsheet_or_binary_file(client, disnaker_kota_bengkulu, zip_bomb):
    client.force_login(disnaker_kota_bengkulu)
    for content, message in ((zip_bomb, "bom zip"), (b"\x00\xff" * 100, "bukan berkas teks CSV"),
                             (zip_bytes(_minimal_parts(b"<worksheet/>")), "bukan berkas Excel")):  # fmt: skip
        response = client.post(reverse("monitoring:target_import"), {"file": SimpleUploadedFile("t.csv", content)})
        assert response.status_code == 200
        assert message in response.text
    assert not RegionTarget.objects.exists()
