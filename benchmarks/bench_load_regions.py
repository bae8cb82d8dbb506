"""Benchmark: load the Kemendagri 2025 region table (91.599 rows) on SQLite and PostgreSQL.

Prints the time of a first load into an empty, migrated database and of a second (idempotent) run.
The issue's bound is under 60 s for the first load on both engines. ``--smoke`` loads one province only.

    uv run python benchmarks/bench_load_regions.py [--smoke]
"""

import argparse

from _common import fresh_postgres, fresh_sqlite, peak_rss_mb, run_manage


def measure(database_url: str, only: list[str]) -> dict:
    run_manage(database_url, "migrate", "--noinput", "-v0")
    args = ["load_regions", *(["--provinsi", *only] if only else [])]
    first, output = run_manage(database_url, *args)
    second, _ = run_manage(database_url, *args)
    created = int(output.split("Wilayah: ")[1].split(" baru")[0])
    return {"rows": created, "first_s": first, "second_s": second}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="one province only (for CI)")
    args = parser.parse_args()
    only = ["17"] if args.smoke else []
    print("engine       rows    first load   rows/s   second run")
    for engine, database in (("sqlite", fresh_sqlite()), ("postgresql", fresh_postgres("rentan_bench_regions"))):
        with database as url:
            result = measure(url, only)
        rate = result["rows"] / result["first_s"]
        print(
            f"{engine:<10} {result['rows']:>7} {result['first_s']:>10.1f} s {rate:>8.0f} {result['second_s']:>10.1f} s"
        )
    print(f"peak RSS of a load process: {peak_rss_mb():.0f} MB (process start, migrate and Django included)")


if __name__ == "__main__":
    main()
