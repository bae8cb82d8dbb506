"""Fixtures for participant tests: programs in three regions, list files written to disk, eager Celery."""

import csv
import datetime

import pytest

from programs.models import FundingSource, Program
from tests.factories import ProgramFactory, nik_for

HEADER = ["No", "NIK", "Nama Lengkap", "Tempat Lahir", "Tgl Lahir", "L/P", "Alamat", "Kode Desa", "Pekerjaan", "No. HP"]
KOTA_DESA = ["17.71.01.1001", "17.71.05.1001", "17.71.05.1002", "17.71.07.1003"]
KAUR_DESA = "17.04.01.2001"
START = datetime.date(2025, 3, 1)


def person(number: int, *, desa: str | None = None, birth: datetime.date | None = None, sex: str | None = None):
    """A well-formed row of a list: its NIK agrees with the desa's kecamatan, the birth date and the sex."""
    desa = desa or KOTA_DESA[number % len(KOTA_DESA)]
    birth = birth or datetime.date(1970 + number % 30, 1 + number % 12, 1 + number % 28)
    sex = sex or ("P" if number % 2 else "L")
    return {
        "No": str(number),
        "NIK": nik_for(desa, birth, sex, number % 9999 + 1),
        "Nama Lengkap": f"Peserta Uji {number}",
        "Tempat Lahir": "Bengkulu",
        "Tgl Lahir": birth.strftime("%d/%m/%Y"),
        "L/P": sex,
        "Alamat": f"Jl. Contoh No. {number}",
        "Kode Desa": desa,
        "Pekerjaan": "Nelayan" if number % 3 else "Petani",
        "No. HP": f"0812{number:08d}",
    }


def write_csv(path, rows, header=HEADER, delimiter=";"):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=delimiter, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, header=HEADER, title_rows=()):
    """An XLSX as staff make it: optional title rows above the header; values keep their Python types."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    workbook.save(path)
    return path


@pytest.fixture
def eager_celery():
    """Run tasks inline, as the embedded default does."""
    from rentan.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def program_kota(regions) -> Program:
    return ProgramFactory(
        code="nelayan-kota",
        name="Nelayan Kota Bengkulu",
        owner_region_id="17.71",
        start_month=datetime.date(2025, 1, 1),
    )


@pytest.fixture
def program_provinsi(regions) -> Program:
    return ProgramFactory(
        code="apbd-provinsi", name="APBD Provinsi Bengkulu", owner_region_id="17", start_month=datetime.date(2024, 1, 1)
    )


@pytest.fixture
def program_kaur(regions) -> Program:
    return ProgramFactory(
        code="kaur-2025",
        name="Jamsostek Kabupaten Kaur",
        owner_region_id="17.04",
        funding_source=FundingSource.SD,
        start_month=datetime.date(2025, 1, 1),
    )
