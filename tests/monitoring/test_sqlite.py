"""The embedded default: the same coverage job on SQLite (window function instead of DISTINCT ON, no exclusion
constraint, so the double-funded NIK is stored as it is) gives the hand-counted figures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from tests.monitoring.world import build_world
build_world()
"""

REPORT = """
import json
from monitoring.models import CoverageSnapshot
from programs.models import Occupation
rows = CoverageSnapshot.objects.filter(month="2026-05-01")
totals = {s.region_id: [s.active, s.active_male, s.active_female, str(s.coverage_ucj_pct), s.gap_jiwa,
                        str(s.gap_rupiah), s.typical_funding_source]
          for s in rows.filter(program=None, funding_source="", region_id__in=["17", "17.71", "17.04", "17.09"])}
kota = rows.filter(region_id="17.71", program=None).exclude(funding_source="")
funding = dict(kota.values_list("funding_source", "active"))
codes = dict(Occupation.objects.values_list("pk", "code"))
kota_total = rows.get(region_id="17.71", program=None, funding_source="")
jobs = {codes[int(pk)]: n for pk, n in kota_total.by_occupation.items()}
print("JSON" + json.dumps({"totals": totals, "funding": funding, "jobs": jobs}))
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


def test_the_coverage_job_on_sqlite_gives_the_hand_counted_figures_and_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'rentan.sqlite3'}"
    for command in (["migrate", "--noinput", "-v0"], ["load_regions", "--provinsi", "17"], ["shell", "-c", SCRIPT]):
        result = manage(url, *command)
        assert result.returncode == 0, result.stderr[-2000:]
    reports = []
    for _ in range(2):
        computed = manage(url, "compute_coverage", "--month", "2026-05")
        assert computed.returncode == 0, computed.stderr[-2000:]
        report = manage(url, "shell", "-c", REPORT)
        assert report.returncode == 0, report.stderr[-2000:]
        reports.append(json.loads(next(line for line in report.stdout.splitlines() if line.startswith("JSON"))[4:]))
    first, second = reports
    assert first == second
    assert first["totals"] == {
        "17": [7, 4, 3, "0.70", 13, str(13 * 16800 * 12) + ".00", "SG"],
        "17.71": [4, 2, 2, "2.00", 6, str(6 * 16800 * 12) + ".00", "SG"],
        "17.04": [3, 2, 1, "3.00", 2, str(2 * 8400 * 12) + ".00", "SD"],
        "17.09": [0, 0, 0, "None", 8, str(8 * 16800 * 12) + ".00", "SG"],
    }
    assert first["funding"] == {"SG": 3, "SD": 1}
    assert first["jobs"] == {"nelayan": 2, "petani": 1, "ojek": 1}
