"""Benchmark: seed the Bengkulu demo world (39.487 provincial participants + kab/kota programs).

Prints the time of ``seed_demo`` on a migrated database with Bengkulu's regions, and of the idempotent second
run. ``--smoke`` seeds 500 provincial participants.

    uv run python benchmarks/bench_seed_demo.py [--smoke]
"""

import argparse

from _common import fresh_postgres, fresh_sqlite, peak_rss_mb, run_manage


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="500 participants (for CI)")
    args = parser.parse_args()
    participants = "500" if args.smoke else "39487"
    print("engine       participants   first run   second run")
    for engine, database in (("sqlite", fresh_sqlite()), ("postgresql", fresh_postgres("rentan_bench_seed"))):
        with database as url:
            run_manage(url, "migrate", "--noinput", "-v0")
            run_manage(url, "load_regions", "--provinsi", "17")
            first, output = run_manage(url, "seed_demo", "--participants", participants)
            second, _ = run_manage(url, "seed_demo", "--participants", participants)
        total = output.split("Data demo dibuat: ")[1].split(" peserta")[0]
        print(f"{engine:<10} {total:>14} {first:>9.1f} s {second:>10.1f} s")
    print(f"peak RSS of a seeding process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
