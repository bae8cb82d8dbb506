"""Benchmark: a data subject access request (UU 27/2022 Pasal 32) among N participants (default 1.000.000).

On a fresh PostgreSQL database with Bengkulu's regions: N participants with one enrolment each, one import batch
whose refused rows name every tenth NIK (N/10 import issues), and two audit events ("view") per participant (2N),
written with COPY. Then ``manage.py data_subject_access NIK --output report.json`` in a fresh process, and the
report function alone in a shell, for a NIK that has an enrolment, an import issue and two audit events. Target:
the answer "within seconds" (< 5 s) at 1.000.000. Measured (2 cores, shared): 0,21 s in the report function,
2,7 s for the command in a fresh process (Django start-up included).

    uv run python benchmarks/bench_subject_access.py [--participants N] [--smoke]

``--smoke`` (CI): 20.000 participants.
"""

import argparse
import datetime
import json
import re
import tempfile
import time
from pathlib import Path

from _common import fresh_postgres, run_manage

SETUP = """
import datetime
from participants.models import ImportBatch
from programs.models import Program
from rentan.models import User
user = User.objects.create(username="bench", role="admin")
program = Program.objects.create(code="bench-dsar", name="Bench DSAR", owner_region_id="17", funding_source="SG",
                                 start_month=datetime.date(2026, 1, 1), target_jiwa=1000000)
batch = ImportBatch.objects.create(program=program, file_name="bench.csv", source_path="bench.csv", created_by=user)
print("IDS", program.pk, batch.pk, user.pk)
"""

TIMED = """
import time
from rentan.subject_access import subject_access_report
started = time.perf_counter()
report = subject_access_report(nik="{nik}")
print("SECONDS", time.perf_counter() - started)
"""


def n(value) -> str:
    return f"{value:,.0f}".replace(",", ".")


def nik_of(i: int, desa: list[str]) -> str:
    code = desa[(i * 7919) % len(desa)]
    birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=i % 15000)
    return f"{code[:8].replace('.', '')}{birth.day:02d}{birth:%m%y}{(i // 15000) % 10000:04d}"


def copy_rows(connection, statement: str, rows) -> None:
    with connection.cursor().copy(statement) as copy:
        block = []
        for row in rows:
            block.append(row)
            if len(block) == 50_000:
                copy.write("".join(block))
                block = []
        copy.write("".join(block))


def load(url: str, count: int, program_id: int, batch_id: int, user_id: int) -> tuple[float, list[str]]:
    import psycopg

    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    with psycopg.connect(url) as connection:
        desa = [r[0] for r in connection.execute("SELECT code FROM programs_region WHERE level = 4 ORDER BY code")]
        occupation = connection.execute("SELECT min(id) FROM programs_occupation").fetchone()[0]
        niks = [nik_of(i, desa) for i in range(count)]
        columns = (
            "nik, nama, tanggal_lahir, jenis_kelamin, desa_id, pekerjaan_id, tempat_lahir, alamat, no_hp, kpj, "
            "bpjs_status, data_source, status, created_at, updated_at"
        )
        copy_rows(
            connection,
            f"COPY participants_participant ({columns}) FROM STDIN",
            (
                f"{nik}\tPeserta Sintetis\t1980-01-01\tL\t{desa[(i * 7919) % len(desa)]}\t{occupation}"
                f"\t\t\t08123456{i % 10000:04d}\t\t\tLAINNYA\tAKTIF\t{now}\t{now}\n"
                for i, nik in enumerate(niks)
            ),
        )
        first = connection.execute("SELECT min(id) FROM participants_participant").fetchone()[0]
        copy_rows(
            connection,
            "COPY participants_enrolment (participant_id, program_id, funding_source, start_month, created_at, "
            "arrears_months) FROM STDIN",
            (f"{first + i}\t{program_id}\tSG\t2026-01-01\t{now}\t0\n" for i in range(count)),
        )
        copy_rows(
            connection,
            "COPY participants_importissue (batch_id, line, severity, column_name, code, message, nik) FROM STDIN",
            (f"{batch_id}\t{i + 2}\tREFUSED\tNo HP\tbad_phone\tNomor HP salah.\t{niks[i]}\n"
             for i in range(0, count, 10)),
        )  # fmt: skip
        copy_rows(
            connection,
            "COPY rentan_auditevent (at, user_id, action, object_type, object_id, object_repr, region_code, changes, "
            "reason) FROM STDIN",
            (
                f"{now}\t{user_id}\tview\tparticipants.Participant\t{first + i}\tPeserta Sintetis\t\t{{}}\t\n"
                for i in range(count)
                for _ in range(2)
            ),
        )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started, niks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="20.000 participants")
    args = parser.parse_args()
    if args.smoke:
        args.participants = 20_000
    with fresh_postgres("rentan_bench_subject_access") as url:
        run_manage(url, "migrate", "--noinput", "-v0")
        run_manage(url, "load_regions", "--provinsi", "17")
        _, out = run_manage(url, "shell", "-c", SETUP)
        program_id, batch_id, user_id = (int(x) for x in re.search(r"IDS (\d+) (\d+) (\d+)", out).groups())
        seconds, niks = load(url, args.participants, program_id, batch_id, user_id)
        print(f"loaded {n(args.participants)} participants and enrolments, {n(args.participants // 10)} import "
              f"issues, {n(2 * args.participants)} audit events in {seconds:.1f} s")  # fmt: skip
        nik = niks[(args.participants // 2) // 10 * 10]  # one with an import issue
        with tempfile.TemporaryDirectory() as folder:
            output = Path(folder) / "report.json"
            wall, _out = run_manage(url, "data_subject_access", nik, "--output", str(output))
            report = json.loads(output.read_text(encoding="utf-8"))
        _, out = run_manage(url, "shell", "-c", TIMED.format(nik=nik))
        inner = float(out.split("SECONDS", 1)[1].split()[0])
        counts = {label: len(rows) for label, rows in report["data"].items()}
        events = len(report["jejak_audit"])
        print(f"one NIK: {counts}, {events} audit events")
        print(f"data_subject_access: {wall:.2f} s wall (fresh process), {inner:.3f} s in the report function")
        expected = {"participants.Participant": 1, "participants.Enrolment": 1, "participants.ImportIssue": 1}
        if counts != expected or events < 2:
            raise SystemExit(f"wrong report: {counts}, {events} audit events")
        print(f"rows/s {n(args.participants / inner)} (participants held ÷ report time; target: answer < 5 s)")


if __name__ == "__main__":
    main()
