"""Helpers shared by the benchmark scripts: fresh databases, subprocess timing, peak memory."""

import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


def peak_rss_mb() -> float:
    """Peak resident memory of this process's finished children, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_manage(database_url: str, *args: str, extra_env: dict | None = None) -> tuple[float, str]:
    """Run ``manage.py`` in a fresh interpreter; return the wall time in seconds and its output."""
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": database_url, **(extra_env or {})}
    env.pop("REDIS_URL", None)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return elapsed, result.stdout


@contextmanager
def fresh_sqlite():
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


@contextmanager
def fresh_postgres(name: str):
    import psycopg

    with psycopg.connect(f"{POSTGRES_ADMIN_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES_ADMIN_URL}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES_ADMIN_URL}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
