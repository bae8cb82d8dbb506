"""Benchmark: a province-sized participant list through the portal's import pipeline, against a raw COPY.

In one run, on a fresh PostgreSQL database with Bengkulu's regions:

1. a CSV of N rows (default 1.000.000; ~5% bad rows of several kinds) spread over Bengkulu's desa;
2. the baseline: a raw ``COPY`` of the same (good) rows into the same indexed participants table;
3. ``manage.py import_participants`` on the CSV in a child process (parse, validate, upsert, enrol: the same
   checks and statements as the page and its Celery tasks, but written while checked), its rows/s, its ratio to the
   COPY, its peak RSS, then the same file again (nothing changes: the idempotent path). Steps 2 and 3 alternate
   over ``--rounds`` rounds (default 3), each ratio against the COPY just before it, and the median is kept;
3b. the page's own path on the same list, new to the database again: the check task, then (after the user's
   confirmation, here at once) the write task, one after the other;
4. django-import-export's figure (the admin resource, defaults) on a sample, as rows/s;
5. a 100.000-row XLSX end to end (seconds).

Targets (issue 3): ≥ 50.000 rows/s (~0,8× COPY), 100k XLSX < 5 s, peak RSS < 512 MB.

    uv run python benchmarks/bench_import_participants.py [--rows N] [--rounds R] [--smoke]
"""

import argparse
import csv
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, fresh_postgres, run_manage

OCCUPATIONS = ["Nelayan", "Petani", "Pedagang kecil/PKL", "Buruh harian lepas", "ojek", "Tukang bangunan", "Kurir"]
HEADER = ["NIK", "Nama", "Tempat Lahir", "Tgl Lahir", "JK", "Alamat", "Desa", "Pekerjaan", "No HP"]
START = datetime.date(2025, 1, 1)
SETUP = """
import datetime
from programs.models import Program
from rentan.models import User
User.objects.create(username="bench-provinsi", role="disnaker", region_id="17")
Program.objects.create(code="bench-provinsi", name="Benchmark APBD Provinsi", owner_region_id="17",
                       funding_source="SG", start_month=datetime.date(2025, 1, 1))
"""
# The page's path: the check task, the preview waiting for a click, then the write task (here back to back).
PAGE_SCRIPT = """
import json, sys, time
from pathlib import Path
from participants import services
from participants.models import ImportBatch
from programs.models import Program
from rentan.models import User
user = User.objects.get(username="bench-provinsi")
path = Path(sys.argv[-1])
batch = services.import_batch_create(user=user, program=Program.objects.get(code="bench-provinsi"), source_path=path,
                                     file_name=path.name, start_month=START, enqueue=False)
started = time.perf_counter()
batch = services.import_batch_validate(batch_id=batch.pk)
checked = time.perf_counter()
ImportBatch.objects.filter(pk=batch.pk, status="VALIDATED").update(status="RUNNING")
batch = services.import_batch_commit(batch_id=batch.pk)
written = time.perf_counter()
print("PAGE", json.dumps({"check": checked - started, "write": written - checked, "status": batch.status,
                          "new": batch.rows_new, "refused": batch.rows_refused}))
"""
IIE_SCRIPT = """
import sys, time, tablib
from participants.resources import ParticipantResource
rows = list(__import__("csv").reader(open(sys.argv[-1], encoding="utf-8")))
dataset = tablib.Dataset(headers=rows[0])
for row in rows[1:]:
    dataset.append(row)
started = time.perf_counter()
result = ParticipantResource().import_data(dataset, dry_run=False)
elapsed = time.perf_counter() - started
print(f"IIE {len(dataset)} {elapsed:.3f} {result.totals['new']} {result.totals['error'] + result.totals['invalid']}")
"""


class People:
    """Unique, plausible people over Bengkulu's desa; bad rows of known kinds at a given share."""

    def __init__(self, desa: list[tuple[str, str]], bad_share: float, seed: int):
        self.rng = random.Random(seed)
        self.desa = desa
        self.unique_names = {name for _code, name in desa if sum(1 for _c, n in desa if n == name) == 1}
        self.bad_share = bad_share
        self.niks: set[int] = set()

    def good(self, number: int) -> tuple[list, tuple]:
        rng = self.rng
        code, name = rng.choice(self.desa)
        sex = "P" if rng.random() < 0.5 else "L"
        while True:
            birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 42))
            day = birth.day + (40 if sex == "P" else 0)
            nik = f"{code[:8].replace('.', '')}{day:02d}{birth:%m%y}{rng.randrange(1, 10000):04d}"
            if int(nik) not in self.niks:
                self.niks.add(int(nik))
                break
        desa = name if name in self.unique_names and rng.random() < 0.2 else code
        row = [nik, f"Peserta Sintetis {number}", "Bengkulu", birth.strftime("%d/%m/%Y"), sex,
               f"Jl. Contoh No. {number % 500}", desa, OCCUPATIONS[number % len(OCCUPATIONS)],
               f"08{rng.randrange(10**9, 10**10)}"]  # fmt: skip
        return row, (nik, row[1], birth, sex, row[5], code, row[8])

    def row(self, number: int, previous: list | None) -> tuple[list, tuple | None]:
        row, clean = self.good(number)
        if self.rng.random() >= self.bad_share:
            return row, clean
        kind = number % 7
        if kind == 0:
            row[0] = f"{int(row[0]):.4E}"  # the NIK Excel turned into a number
        elif kind == 1:
            row[3] = "31/02/1990"
        elif kind == 2:
            row[6] = "17.99.01.2001"  # no such desa
        elif kind == 3:
            row[7] = "Astronot"
        elif kind == 4:
            birth = datetime.date(1940, 5, 5)
            row[3] = birth.strftime("%d/%m/%Y")  # too old for the program (and the NIK disagrees)
        elif kind == 5:
            row[0] = row[0][:15]
        elif previous is not None:
            row = list(previous)  # the same person twice in one file
        return row, None


def generate(
    path: Path, rows: int, people: People, xlsx: bool = False, baseline: Path | None = None, occupation: int = 0
) -> int:
    """Write the list, and the good rows in COPY's text format for the baseline; return how many are good."""
    good, previous = 0, None
    now = datetime.datetime.now(datetime.UTC).isoformat()
    if xlsx:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Peserta")
        sheet.append(HEADER)
        for number in range(rows):
            row, clean = people.row(number, previous)
            sheet.append(row)
            previous = row
        workbook.save(path)
        return good
    with open(path, "w", newline="", encoding="utf-8") as handle, open(baseline, "w", encoding="utf-8") as copy:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(rows):
            row, clean = people.row(number, previous)
            writer.writerow(row)
            previous = row
            if clean is not None:
                nik, nama, birth, sex, alamat, desa, phone = clean
                copy.write(f"{nik}\t{nama}\t{birth}\tBengkulu\t{sex}\t{alamat}\t{desa}\t{occupation}\t{phone}\t\t\t"
                           f"LAINNYA\tAKTIF\t{now}\t{now}\n")  # fmt: skip
                good += 1
    return good


def copy_baseline(url: str, baseline: Path) -> float:
    """A raw COPY of the good rows into the real, indexed participants table; seconds including the commit.

    The table as the portal has it, with its indexes and the checks that stand for its references (migration 0011:
    statement triggers, not foreign keys), so the baseline gains whatever makes writing participants cheaper.
    """
    import psycopg

    columns = ("nik, nama, tanggal_lahir, tempat_lahir, jenis_kelamin, alamat, desa_id, pekerjaan_id, no_hp, kpj, "
               "bpjs_status, data_source, status, created_at, updated_at")  # fmt: skip
    with psycopg.connect(url) as connection:
        connection.execute("CHECKPOINT")
        started = time.perf_counter()
        statement = f"COPY participants_participant ({columns}) FROM STDIN"
        with connection.cursor().copy(statement) as copy, open(baseline, encoding="utf-8") as rows:
            while block := rows.read(1 << 20):
                copy.write(block)
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("TRUNCATE participants_participant CASCADE")
        connection.commit()
        connection.execute("CHECKPOINT")
    return elapsed


class BackendCpu(threading.Thread):
    """CPU seconds used by this database's PostgreSQL backends while it runs, read from /proc every 0,25 s (Linux,
    with the server on this machine; elsewhere it sees none). This machine's speed drifts by ±15% within minutes;
    where the CPU goes drifts less, and it tells which end of the pipelined import is the slow one."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.marker = f" {url.rsplit('/', 1)[1]} ".encode()
        self.seconds: dict[str, float] = {}
        self.workers: dict[str, tuple[str, float]] = {}  # parallel worker → (its leader, its seconds)
        self.stopping = threading.Event()

    def run(self):
        tick = os.sysconf("SC_CLK_TCK")
        while not self.stopping.wait(0.25):  # ~1% of a core; a backend's last 0,25 s may go uncounted
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                        command = cmdline.read()
                    # A parallel worker names its leader, not the database: "… parallel worker for PID 123".
                    leader = command.rstrip(b" \0").rpartition(b"parallel worker for PID ")[2].decode()
                    if not command.startswith(b"postgres: ") or not (self.marker in command or leader in self.seconds):
                        continue
                    with open(f"/proc/{pid}/stat") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()  # utime and stime, in clock ticks
                    seconds = (int(fields[11]) + int(fields[12])) / tick
                    if self.marker in command:
                        self.seconds[pid] = seconds
                    else:  # short-lived: only the part of it seen here is counted
                        self.workers[pid] = (leader, seconds)
                except OSError:  # it ended meanwhile
                    continue

    def stop(self) -> list[float]:
        """Seconds per backend (with its parallel workers) that used more than 0,1 s, the busiest first."""
        self.stopping.set()
        self.join()
        for leader, seconds in self.workers.values():
            self.seconds[leader] += seconds
        return sorted((s for s in self.seconds.values() if s > 0.1), reverse=True)


def cpu_text(python: float, backends: list[float]) -> str:
    database = " + ".join(f"{seconds:.1f}" for seconds in backends) or "?"
    return f"CPU: Python {python:.1f} s, its PostgreSQL connections {database} s"


def run_child(url: str, *args: str) -> tuple[float, str, float, str, float]:
    """Run ``manage.py`` in a fresh process; return (seconds, stdout, its peak RSS in MB, stderr, its CPU seconds).

    The peak comes from wait4() for that one process. Linux counts a child's pages from before exec() as well, so
    this script keeps itself small (the lists are generated by a child of their own).
    """
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode not in (0, 1):
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{stderr[-3000:]}")
    return elapsed, stdout, usage.ru_maxrss / 1024, stderr, usage.ru_utime + usage.ru_stime


def phases(stderr: str) -> str:
    """The import's own log of where its time went."""
    found = [
        line.split(": ", 1)[1] for line in stderr.splitlines() if re.search(r"Import \d+ (checked|written):", line)
    ]
    return " | ".join(found)


def generate_in_child(url: str, path: Path, rows: int, bad_share: float, seed: int, xlsx: bool) -> int:
    """Generate a list in a separate process, so this one stays small (see run_child)."""
    args = [sys.executable, __file__, "--generate", str(path), "--rows", str(rows), "--bad-share", str(bad_share),
            "--seed", str(seed), "--url", url] + (["--xlsx"] if xlsx else [])  # fmt: skip
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(result.stdout.strip().splitlines()[-1])


def generate_main(args) -> None:
    import psycopg

    with psycopg.connect(args.url) as connection:
        desa = connection.execute(
            "SELECT code, name FROM programs_region WHERE level = 4 AND code LIKE '17.%' ORDER BY code"
        ).fetchall()
        occupation = connection.execute("SELECT id FROM programs_occupation WHERE code = 'nelayan'").fetchone()[0]
    people = People(desa, args.bad_share, seed=args.seed)
    path = Path(args.generate)
    print(generate(path, args.rows, people, xlsx=args.xlsx, baseline=path.with_suffix(".copy"), occupation=occupation))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--iie-rows", type=int, default=5_000, help="sample for django-import-export")
    parser.add_argument("--bad-share", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3, help="COPY and command, alternately (the median is kept)")
    parser.add_argument("--smoke", action="store_true", help="5.000 rows, 2.000 XLSX rows, 200 for import-export")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=2025, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--xlsx", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        return generate_main(args)
    if args.smoke:
        args.rows, args.xlsx_rows, args.iie_rows, args.rounds = 5_000, 2_000, 200, 2
    n = lambda value: f"{value:,.0f}".replace(",", ".")  # noqa: E731

    with fresh_postgres(os.environ.get("BENCH_DB", "bench_imp_main")) as url, tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        run_manage(url, "migrate", "--noinput", "-v0")
        run_manage(url, "load_regions", "--provinsi", "17")
        run_manage(url, "shell", "-c", SETUP)
        import psycopg

        started = time.perf_counter()
        csv_path = folder / "daftar.csv"
        good = generate_in_child(url, csv_path, args.rows, args.bad_share, 2025, xlsx=False)
        print(f"generated {n(args.rows)} rows ({n(good)} good) over Bengkulu's desa, "
              f"{csv_path.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - started:.1f} s")  # fmt: skip

        command = ["import_participants", str(csv_path), "--program", "bench-provinsi", "--user", "bench-provinsi",
                   "--json", "--start-month", START.strftime("%Y-%m")]  # fmt: skip
        # The COPY and the command alternate, round after round: this machine's speed drifts by ±15% over minutes,
        # and each ratio compares two runs made a minute apart.
        rounds = []
        for number in range(1, args.rounds + 1):
            if number > 1:
                with psycopg.connect(url) as connection:
                    connection.execute("TRUNCATE participants_participant, participants_enrolment CASCADE")
                    connection.commit()
                    connection.execute("CHECKPOINT")
            backends = BackendCpu(url)
            backends.start()
            copy_s = copy_baseline(url, csv_path.with_suffix(".copy"))
            copy_cpu = backends.stop()
            backends = BackendCpu(url)
            backends.start()
            seconds, output, rss, log, cpu = run_child(url, *command)
            command_cpu = backends.stop()
            result = json.loads(output)
            ratio = (args.rows / seconds) / (good / copy_s)
            rounds.append((ratio, seconds, copy_s, rss))
            print(
                f"round {number}: raw COPY of the {n(good)} good rows into the indexed table {copy_s:.1f} s "
                f"({n(good / copy_s)} rows/s, PostgreSQL CPU {sum(copy_cpu):.1f} s); the command over "
                f"{n(args.rows)} rows {seconds:.1f} s ({n(args.rows / seconds)} rows/s), {ratio:.2f}× COPY; "
                f"peak RSS {rss:.0f} MB; {cpu_text(cpu, command_cpu)}"
            )
        # The median round's ratio; of an even number of rounds, the lower of the middle two.
        ratio, seconds, copy_s, rss = sorted(rounds)[(len(rounds) - 1) // 2]
        copy_rate = good / statistics.median(r[2] for r in rounds)  # for the page's path below
        counts = result["counts"]
        rate = args.rows / seconds
        print(
            f"pipeline (parse, validate, upsert, enrol) over {n(args.rows)} rows, median of {len(rounds)} rounds: "
            f"{seconds:.1f} s, {n(rate)} rows/s (target ≥ 50.000), {ratio:.2f}× COPY (target ≥ 0,8×; ratios "
            f"{', '.join(f'{r[0]:.2f}' for r in rounds)}); peak RSS {max(r[3] for r in rounds):.0f} MB (target < 512)"
        )
        print(
            f"  last round: {n(counts['new'])} new, {n(counts['refused'])} refused, {n(counts['enrolled'])} enrolled; "
            f"inside the command: import {result['seconds']['import']:.1f} s "
            f"({n(args.rows / result['seconds']['import'])} rows/s), including the error report of "
            f"{n(counts['refused'])} rows ({result['seconds']['error_report']:.1f} s, written while the rows are)"
        )
        print(f"  {phases(log)}")
        seconds, output, rss, log, _cpu = run_child(url, *command)
        again = json.loads(output)["counts"]
        print(
            f"same file again: {seconds:.1f} s, {n(args.rows / seconds)} rows/s, {n(again['unchanged'])} unchanged, "
            f"{again['new'] + again['updated'] + again['enrolled']} changes; peak RSS {rss:.0f} MB"
        )
        print(f"  {phases(log)}")

        with psycopg.connect(url) as connection:  # the same list again, new to the database, on the page's path
            connection.execute("TRUNCATE participants_participant, participants_enrolment CASCADE")
            connection.commit()
            connection.execute("CHECKPOINT")
        script = PAGE_SCRIPT.replace("sys.argv[-1]", repr(str(csv_path))).replace("START", repr(START))
        script = "import datetime\n" + script
        seconds, output, rss, log, _cpu = run_child(url, "shell", "-c", script)
        page = json.loads(next(line for line in output.splitlines() if line.startswith("PAGE "))[5:])
        steps = page["check"] + page["write"]
        print(
            f"page's path (check task, then write task after confirmation) over {n(args.rows)} rows: "
            f"check {page['check']:.1f} s + write {page['write']:.1f} s = {steps:.1f} s (a warm worker: no process "
            f"start), {n(args.rows / steps)} rows/s, {args.rows / steps / copy_rate:.2f}× COPY; peak RSS {rss:.0f} MB; "
            f"{n(page['new'])} new, {n(page['refused'])} refused"
        )
        print(f"  {phases(log)}")

        sample = folder / "contoh.csv"
        with open(sample, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["nik", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat", "desa",
                             "pekerjaan", "no_hp"])  # fmt: skip
            with psycopg.connect(url) as connection:
                desa = connection.execute("SELECT code, name FROM programs_region WHERE level = 4").fetchall()
            people = People(desa, 0, seed=7)  # other people than the big list's
            for number in range(args.iie_rows):
                _row, (nik, nama, birth, sex, alamat, code, phone) = people.good(10_000_000 + number)
                writer.writerow(
                    [nik, nama, "Bengkulu", birth.strftime("%d/%m/%Y"), sex, alamat, code, "nelayan", phone]
                )
            del people
        _s, output, _rss, _log, _cpu = run_child(
            url, "shell", "-c", IIE_SCRIPT.replace("sys.argv[-1]", repr(str(sample)))
        )
        line = next(line for line in output.splitlines() if line.startswith("IIE "))
        _label, total, elapsed, created, errors = line.split()
        iie_rate = int(total) / float(elapsed)
        print(
            f"django-import-export (admin resource, defaults) on {n(int(total))} rows: {float(elapsed):.1f} s, "
            f"{n(iie_rate)} rows/s ({int(created)} new, {errors} errors); "
            f"extrapolated to {n(args.rows)} rows: {args.rows / iie_rate / 60:.0f} min"
        )

        xlsx_path = folder / "daftar.xlsx"
        generate_in_child(url, xlsx_path, args.xlsx_rows, args.bad_share, 99, xlsx=True)
        xlsx_command = ["import_participants", str(xlsx_path), "--program", "bench-provinsi", "--user",
                        "bench-provinsi", "--json", "--start-month", START.strftime("%Y-%m")]  # fmt: skip
        seconds, output, rss, log, _cpu = run_child(url, *xlsx_command)
        result = json.loads(output)
        print(
            f"XLSX {n(args.xlsx_rows)} rows end to end: {seconds:.1f} s (target < 5 s at 100.000 rows; "
            f"{n(args.xlsx_rows / seconds)} rows/s), "
            f"{n(result['counts']['new'])} new, {n(result['counts']['refused'])} refused; peak RSS {rss:.0f} MB"
        )
        print(f"  {phases(log)}; error report {result['seconds']['error_report']:.1f} s")


if __name__ == "__main__":
    main()
