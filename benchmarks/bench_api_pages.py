"""Benchmark: list N participants (default 100.000) page by page through the API, as another system would.

On a fresh PostgreSQL database with Bengkulu's regions (17): N participants spread over the desa (one INSERT …
SELECT), an administrator with a personal API token, and gunicorn (2 sync workers) on loopback. The client walks
``/api/v1/participants/`` with the token, following the cursor ``next`` links to the end, once with pages of 1.000
rows and once with the default 100; it reports rows/s over the whole walk and the p50/p95 latency of one page,
plus the first and the last page (a cursor page deep in the table costs what the first costs).

    uv run python benchmarks/bench_api_pages.py [--participants N] [--smoke]

``--smoke`` (CI): 5.000 participants.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

from _common import ROOT, fresh_postgres, run_manage

SECRET_KEY = "benchmark-only-not-a-secret"

# Participants written in one statement, every column from the model (so a field added later gets its default).
SEED = """
import datetime, json
from django.db import connection
from django.db.models import NOT_PROVIDED
from api.services import api_token_create
from participants.models import Participant
from programs.models import Occupation, Region
from rentan.models import User

N = {n}
desa = list(Region.objects.filter(level=4).order_by("code").values_list("code", flat=True))
occupation = Occupation.objects.order_by("pk").values_list("pk", flat=True).first()
special = {{
    "nik": "lpad(g::text, 16, '0')", "nama": "'Peserta Sintetis ' || g", "tanggal_lahir": "DATE '1985-06-15'",
    "jenis_kelamin": "CASE WHEN g % 2 = 0 THEN 'P' ELSE 'L' END", "desa_id": "(%s::text[])[1 + g % %s]",
    "pekerjaan_id": str(occupation), "kpj": "lpad(g::text, 11, '0')",
}}
columns, values, params = [], [], []
for field in Participant._meta.concrete_fields:
    if field.primary_key:
        continue
    columns.append(field.column)
    if field.column in special:
        values.append(special[field.column])
        params += [desa, len(desa)] if field.column == "desa_id" else []
    elif field.name in special:
        values.append(special[field.name])
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        values.append("now()")
    elif field.default is not NOT_PROVIDED or not field.null:
        values.append("%s")
        params.append(field.get_default())  # "" for a text field left blank
    else:
        values.append("NULL")
sql = (f"INSERT INTO {{Participant._meta.db_table}} ({{', '.join(columns)}}) "
       f"SELECT {{', '.join(values)}} FROM generate_series(1, %s) g")
with connection.cursor() as cursor:
    cursor.execute(sql.replace("% 2", "%% 2").replace("g % %s", "g %% %s"), [*params, N])
    cursor.execute(f"ANALYZE {{Participant._meta.db_table}}")
user = User.objects.create(username="bench-admin", role="admin")
_token, secret = api_token_create(user=user, name="benchmark")
print("JSON" + json.dumps({{"token": secret, "desa": len(desa)}}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "API_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "gunicorn", "rentan.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
               "--log-level", "warning"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def walk(port: int, token: str, page_size: int, max_pages: int | None = None) -> dict:
    """Follow the cursor from the first page to the last (or ``max_pages``); latency of every page in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    path = f"/api/v1/participants/?page_size={page_size}"
    latencies, rows, ids = [], 0, set()
    started = time.perf_counter()
    while path:
        begun = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        latencies.append((time.perf_counter() - begun) * 1000)
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:300]!r}")
        page = json.loads(body)
        rows += len(page["results"])
        ids.update(row["id"] for row in page["results"])
        nxt = page["next"]
        path = f"{urlsplit(nxt).path}?{urlsplit(nxt).query}" if nxt else None
        if max_pages and len(latencies) >= max_pages:
            break
    seconds = time.perf_counter() - started
    connection.close()
    ordered = sorted(latencies)
    return {
        "rows": rows,
        "distinct": len(ids),
        "pages": len(latencies),
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "first": latencies[0],
        "last": latencies[-1],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    n = 5_000 if args.smoke else args.participants
    with fresh_postgres("rentan_bench_api") as database_url:
        run_manage(database_url, "migrate", "--noinput", "-v0")
        run_manage(database_url, "load_regions", "--provinsi", "17")
        seconds, output = run_manage(database_url, "shell", "-c", SEED.format(n=n))
        seed = json.loads(next(line[4:] for line in output.splitlines() if line.startswith("JSON")))
        print(f"{n:,} participants over {seed['desa']:,} desa written in {seconds:.1f} s".replace(",", "."))
        port = free_port()
        server = serve(database_url, port)
        try:
            walk(port, seed["token"], 100, max_pages=10)  # warm both workers' connections and caches
            for page_size in (1000, 100):
                result = walk(port, seed["token"], page_size)
                assert result["rows"] == result["distinct"] == n, result
                print(
                    f"page_size={page_size}: {result['rows']} rows in {result['pages']} pages, "
                    f"{result['seconds']:.1f} s, {result['rows_per_s']:.0f} rows/s; one page p50 "
                    f"{result['p50']:.1f} ms, p95 {result['p95']:.1f} ms (first {result['first']:.1f} ms, "
                    f"last {result['last']:.1f} ms)"
                )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
