"""The embedded default: the same import command on SQLite (no COPY, no exclusion constraint) behaves the same."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.participants.conftest import KAUR_DESA, person, write_csv

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import datetime
from participants.models import Enrolment, Participant
from programs.models import Occupation, Program
from rentan.models import User
User.objects.create(username="op-kota", role="disnaker", region_id="17.71")
kota = Program.objects.create(code="kota", name="Program Kota", owner_region_id="17.71", funding_source="SG",
                              start_month=datetime.date(2025, 1, 1))
kaur = Program.objects.create(code="kaur", name="Program Kaur", owner_region_id="17.04", funding_source="SD",
                              start_month=datetime.date(2025, 1, 1))
p = Participant.objects.create(nik="{nik}", nama="Sudah Dibayar", tanggal_lahir=datetime.date(1972, 4, 4),
                               jenis_kelamin="L", desa_id="{desa}", pekerjaan=Occupation.objects.get(code="nelayan"))
Enrolment.objects.create(participant=p, program=kaur, funding_source="SD", start_month=datetime.date(2025, 1, 1))
"""


def manage(database_url, *args):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update({"DEBUG": "1", "DATABASE_URL": database_url})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_command_on_sqlite_refuses_the_same_rows_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'rentan.sqlite3'}"
    assert manage(url, "migrate", "--noinput", "-v0").returncode == 0
    assert manage(url, "load_regions", "--provinsi", "17").returncode == 0
    rows = [person(number) for number in range(1, 31)]
    rows[4]["NIK"] = "1.7710E+15"
    rows[8]["Kode Desa"] = KAUR_DESA
    paid = rows[12]
    setup = manage(url, "shell", "-c", SETUP.format(nik=paid["NIK"], desa=paid["Kode Desa"]))
    assert setup.returncode == 0, setup.stderr[-2000:]
    path = write_csv(tmp_path / "daftar.csv", rows)
    command = ["import_participants", str(path), "--program", "kota", "--user", "op-kota", "--json",
               "--start-month", "2025-03"]  # fmt: skip

    first = manage(url, *command)
    second = manage(url, *command)

    assert first.returncode == 0, first.stderr[-2000:]
    result = json.loads(first.stdout)
    assert result["counts"] | {"warned": 0} == {
        "rows": 30, "new": 27, "updated": 0, "unchanged": 0, "refused": 3, "warned": 0, "enrolled": 27,
    }  # fmt: skip
    assert {(item["line"], item["code"]) for item in result["refused"]} == {
        (6, "nik_number"),
        (10, "outside_scope"),
        (14, "other_payer"),
    }
    other = next(item for item in result["refused"] if item["code"] == "other_payer")
    assert "program lain di luar wilayah Anda" in other["reason"]
    assert Path(result["error_report"]).exists()
    again = json.loads(second.stdout)["counts"]
    assert (again["new"], again["updated"], again["unchanged"], again["enrolled"]) == (0, 0, 27, 0)
