"""A small-size run of every benchmark, so the scripts keep working; the full sizes run by hand."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_every_benchmark_runs_at_smoke_size(postgres):
    result = subprocess.run(
        # Two at a time: the smoke run checks that the scripts work; its figures mean nothing.
        [sys.executable, "benchmarks/run_all.py", "--smoke", "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "bench_load_regions.py" in result.stdout
    assert "rows/s" in result.stdout
