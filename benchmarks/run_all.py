"""Run every benchmark in this folder; pass --smoke for the small CI-sized run.

``--jobs N`` runs N benchmarks at a time (each prints when it ends, in the folder's order). Use it only for the
smoke run: benchmarks sharing the machine measure each other.
"""

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: Path, extra: list[str], capture: bool) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(script), *extra],
        cwd=HERE.parent,
        check=False,
        capture_output=capture,
        text=True,
    )


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--jobs", type=int, default=1)
    args, extra = parser.parse_known_args()
    scripts = sorted(HERE.glob("bench_*.py"))
    failed = []
    if args.jobs <= 1:
        for script in scripts:
            print(f"\n== {script.name} ==", flush=True)
            if run(script, extra, capture=False).returncode:
                failed.append(script.name)
    else:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [(script, pool.submit(run, script, extra, True)) for script in scripts]
            for script, future in futures:
                result = future.result()
                print(f"\n== {script.name} ==\n{result.stdout}{result.stderr}", end="", flush=True)
                if result.returncode:
                    failed.append(script.name)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
