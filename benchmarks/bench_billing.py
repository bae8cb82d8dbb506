"""Benchmark: the monthly iuran bill of ONE program of N enrolments (default 1.000.000) on PostgreSQL.

On a fresh database with Bengkulu's regions: one CSR program (so the PP 50/2025 discount applies to part of it),
N participants spread over the desa with every pekerjaan (transport and not), their enrolments in the program,
a tenth of them paid from APBD instead (``SG``, never discounted), written with COPY. Then, each in a fresh
process, ``manage.py generate_bills --month 2026-12 --program ID`` twice: the first run writes the regular bill
(one line per enrolment, set-based SQL), the second must find nothing new and write nothing. Target < 30 s for
the first run at 1.000.000. Then the arrears job once the month is past due (every enrolment becomes
menunggak 1 bulan: one set-based UPDATE of N enrolments), timed apart. Also checks that the bill has N lines and
that its total is what the rate function gives for each group.

    uv run python benchmarks/bench_billing.py [--enrolments N] [--smoke]

``--smoke`` (CI): 20.000 enrolments.
"""

import argparse
import datetime
import re
import time
from decimal import Decimal

from _common import fresh_postgres, run_manage

MONTH = "2026-12"  # due 15 December 2026: not yet past due, so generating it does not refresh arrears
ARREARS_DAY = "2026-12-20"  # after the due date: every enrolment is menunggak 1 bulan

SETUP = """
import datetime
from programs.models import Program
program = Program.objects.create(code="csr-bench", name="CSR Benchmark", owner_region_id="17", funding_source="SC",
                                 start_month=datetime.date(2026, 1, 1), target_jiwa=1000000)
print("PROGRAM", program.pk)
"""

ARREARS = """
import datetime, time
from programs.billing import arrears_refresh
from programs.models import Program
started = time.perf_counter()
changed = arrears_refresh(program=Program.objects.get(code="csr-bench"), today=datetime.date.fromisoformat("DAY"))
print("ARREARS", changed, time.perf_counter() - started)
"""

CHECK = """
from decimal import Decimal
from django.db.models import Sum
from participants.models import Enrolment
from programs.models import Bill, BillLine, BillPrice, Program
from programs.rates import RateBook, iuran_for_month
program = Program.objects.get(code="csr-bench")
bill = Bill.objects.get(program=program)
book = RateBook.load()
expected = Decimal(0)
for price in BillPrice.objects.filter(bill=bill):
    quote = iuran_for_month(program=program, is_transport=price.is_transport, month=bill.month,
                            funding_source=price.funding_source, rates=book)
    expected += quote.total * price.jiwa
lines = BillLine.objects.filter(bill=bill)
print("CHECK", Bill.objects.filter(program=program).count(), lines.count(), Enrolment.objects.count(),
      bill.amount, lines.aggregate(s=Sum("amount"))["s"], expected)
"""


def n(value) -> str:
    return f"{value:,.0f}".replace(",", ".")


def load(url: str, count: int, program_id: int) -> float:
    """COPY ``count`` participants and one enrolment each in the program; returns seconds."""
    import psycopg

    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    with psycopg.connect(url) as connection:
        desa = [r[0] for r in connection.execute("SELECT code FROM programs_region WHERE level = 4 ORDER BY code")]
        occupations = [r[0] for r in connection.execute("SELECT id FROM programs_occupation ORDER BY id")]
        exclusion = connection.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'participants_enrolment'::regclass AND contype = 'x'"
        ).fetchall()
        for name, _definition in exclusion:
            connection.execute(f"ALTER TABLE participants_enrolment DROP CONSTRAINT {name}")
        columns = (
            "nik, nama, tanggal_lahir, jenis_kelamin, desa_id, pekerjaan_id, tempat_lahir, alamat, no_hp, kpj, "
            "bpjs_status, data_source, status, created_at, updated_at"
        )
        with connection.cursor().copy(f"COPY participants_participant ({columns}) FROM STDIN") as copy:
            block = []
            for i in range(count):
                code = desa[(i * 7919) % len(desa)]
                birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=i % 15000)
                nik = f"{code[:8].replace('.', '')}{birth.day:02d}{birth:%m%y}{(i // 15000) % 10000:04d}"
                block.append(
                    f"{nik}\tPeserta Sintetis\t{birth}\tL\t{code}\t{occupations[i % len(occupations)]}"
                    f"\t\t\t\t\t\tLAINNYA\tAKTIF\t{now}\t{now}\n"
                )
                if len(block) == 50_000:
                    copy.write("".join(block))
                    block = []
            copy.write("".join(block))
        first_id = connection.execute("SELECT min(id) FROM participants_participant").fetchone()[0]
        with connection.cursor().copy(
            "COPY participants_enrolment (participant_id, program_id, funding_source, start_month, created_at, "
            "arrears_months) FROM STDIN"
        ) as copy:
            block = []
            for i in range(count):
                funding = "SG" if i % 10 == 0 else "SC"
                block.append(f"{first_id + i}\t{program_id}\t{funding}\t2026-01-01\t{now}\t0\n")
                if len(block) == 50_000:
                    copy.write("".join(block))
                    block = []
            copy.write("".join(block))
        connection.commit()  # the deferred foreign-key checks run here, before the constraint comes back
        for name, definition in exclusion:
            connection.execute(f"ALTER TABLE participants_enrolment ADD CONSTRAINT {name} {definition}")
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--enrolments", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="20.000 enrolments")
    args = parser.parse_args()
    if args.smoke:
        args.enrolments = 20_000
    with fresh_postgres("rentan_bench_billing") as url:
        run_manage(url, "migrate", "--noinput", "-v0")
        run_manage(url, "load_regions", "--provinsi", "17")
        _, out = run_manage(url, "shell", "-c", SETUP)
        program_id = int(re.search(r"PROGRAM (\d+)", out).group(1))
        seconds = load(url, args.enrolments, program_id)
        print(f"loaded {n(args.enrolments)} participants and enrolments in {seconds:.1f} s")

        runs = []
        for label in ("first run (regular bill)", "second run (idempotent)"):
            wall, out = run_manage(url, "generate_bills", "--month", MONTH, "--program", str(program_id))
            service = re.search(r"\(([\d.]+) dtk\)", out)
            inner = float(service.group(1)) if service else None
            runs.append((label, wall, inner, out.strip().splitlines()[0]))
        _, out = run_manage(url, "shell", "-c", ARREARS.replace("DAY", ARREARS_DAY))
        changed, arrears_seconds = out.split("ARREARS", 1)[1].split()
        _, out = run_manage(url, "shell", "-c", CHECK)
        bills, lines, enrolments, amount, line_sum, expected = out.split("CHECK", 1)[1].split()
        for label, wall, inner, first_line in runs:
            print(f"{label}: {wall:.1f} s wall (fresh process), {inner:.2f} s in the service; {first_line}")
        print(f"bills {bills}, lines {n(int(lines))} for {n(int(enrolments))} enrolments; total {amount}")
        if not (bills == "1" and lines == enrolments and Decimal(amount) == Decimal(line_sum) == Decimal(expected)):
            raise SystemExit(f"wrong bill: {bills} bills, {lines} lines, {amount} vs {line_sum} vs {expected}")
        print(f"rows/s {n(args.enrolments / runs[0][2])} (target: 1.000.000 rows < 30 s)")
        print(
            f"arrears refresh after the due date ({ARREARS_DAY}): {n(int(changed))} enrolments changed to menunggak "
            f"in {float(arrears_seconds):.1f} s"
        )


if __name__ == "__main__":
    main()
