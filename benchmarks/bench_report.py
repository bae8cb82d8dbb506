"""Benchmark: the monthly rapat monitoring report (PDF) of a province, rendered in a fresh process.

On a fresh PostgreSQL database with the regions of Bengkulu (17: 10 kab/kota, 1.500-odd desa):

1. a program per province and kab/kota (APBD) with a pagu, Dana Desa programs in one desa of twenty, targets
   and denominators per province and kab/kota; N participants (default 40.000) and their enrolments over the
   last two years and more, written with COPY (the loader of bench_coverage.py);
2. santunan: 60 paid claims in the report month (JKM and JKK, with heirs) and 15 overdue ones, and notes;
3. coverage snapshots for the report month and the 11 before it (a year of history: the trend and the change);
4. the report of Provinsi Bengkulu for last month, in a fresh interpreter, as the worker renders it
   (``monitoring.services.monitoring_report_render``; WeasyPrint's import timed apart, as a worker does it when it
   starts): seconds and peak memory of that process, then the same
   pieces again warm (content from the selectors, HTML, WeasyPrint); targets < 5 s and < 400 MB; then
   ``manage.py render_monitoring_report`` once, for the operator's wall time.

    uv run python benchmarks/bench_report.py [--participants N] [--smoke] [--keep-pdf FILE]

``--smoke`` (CI): 2.000 participants and 3 months of history.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import fresh_postgres, run_manage
from bench_coverage import PARTICIPANT_VALUES, load_people, manage, n  # noqa: F401 - one loader for both benchmarks

PROVINCE = "17"
JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
TARGET_SECONDS, TARGET_MB = 5, 400

SETUP = """
import datetime, json
from decimal import Decimal
from programs.models import Budget, Program, Region

start = datetime.date(2024, 1, 1)
year = YEAR
programs = {"province": {}, "kabkota": {}, "desa": {}}
for region in Region.objects.filter(level__lte=2):
    program = Program.objects.create(
        code=f"apbd-{region.code.replace('.', '-')}", name=f"Jamsostek Pekerja Rentan {region}",
        owner_region=region, funding_source="SG", start_month=start, target_jiwa=10000)
    Budget.objects.create(program=program, fiscal_year=year, amount=Decimal("2016000000"),
                          decided_on=datetime.date(year - 1, 12, 1))
    programs["province" if region.level == 1 else "kabkota"][region.code] = program.pk
desa = list(Region.objects.filter(level=4).order_by("code").values_list("code", flat=True))
for code in desa[::20]:
    program = Program.objects.create(code=f"dd-{code.replace('.', '-')}", name=f"Dana Desa {code}",
                                     owner_region_id=code, funding_source="SD", start_month=start)
    programs["desa"][code] = program.pk
print("JSON" + json.dumps({"programs": programs, "desa": desa}))
"""

CLAIMS = """
import datetime
from decimal import Decimal
from django.utils import timezone
from claims.models import AhliWaris, Claim, ClaimPayment
from monitoring.models import ReportNote
from participants.models import Participant
from programs.models import Branch, Region
from rentan.models import User

month = datetime.date(YEAR, MONTH, 1)
admin = User.objects.create(username="bench-admin", role="admin")
branch = Branch.objects.create(code="cabang-bench", name="BPJS Ketenagakerjaan Cabang Bengkulu")
branch.regions.set(Region.objects.filter(level=2))
people = list(Participant.objects.order_by("id")[:75])
reported = timezone.make_aware(datetime.datetime(month.year, month.month, 1, 9))
for i, person in enumerate(people):
    paid = i < 60
    kind = "JKM" if i % 3 else "JKK"
    due = month + datetime.timedelta(days=3 + i % 20)
    claim = Claim.objects.create(
        participant=person, type=kind, jkk_kind="PERAWATAN" if kind == "JKK" else "", branch=branch,
        reported_at=reported, incident_date=month - datetime.timedelta(days=10), complete_on=month,
        due_on=due, benefit_amount=Decimal("42000000") if kind == "JKM" else Decimal("7500000"),
        status="DIBAYAR" if paid else "BERKAS_LENGKAP", paid_on=due if paid else None)
    if paid:
        heir = AhliWaris.objects.create(claim=claim, nama=f"Ahli Waris Sintetis {i}", nik=f"1771{i:012d}",
                                        relationship="JANDA", tanggal_lahir=datetime.date(1980, 1, 1))
        ClaimPayment.objects.create(claim=claim, amount=claim.benefit_amount, paid_on=due, reference=f"TRX-{i}",
                                    recipient=heir, recipient_name=heir.nama, paid_by=admin)
for i in range(4):
    ReportNote.objects.create(region_id="17", month=month, kind="REKOMENDASI" if i % 2 else "CATATAN",
                              text=f"Catatan rapat nomor {i + 1}: tindak lanjut pendaftaran pekerja rentan.",
                              author=admin)
print("claims done")
"""

MEASURE = """
import datetime, os, resource, time
from monitoring import services
from monitoring.pdf import load_renderer, render_pdf
from monitoring.reports import report_content, report_html
from programs.models import Region
region, month = Region.objects.get(code="PROVINCE"), datetime.date(YEAR, MONTH, 1)

def one():
    started, cpu = time.perf_counter(), time.process_time()
    report, _ = services.monitoring_report_request(region=region, month=month, trigger="COMMAND", enqueue=False)
    report = services.monitoring_report_render(report_id=report.pk)
    assert report.status == "DONE", report.error_message
    return time.perf_counter() - started, time.process_time() - cpu, report

t0 = time.perf_counter(); load_renderer(); t_import = time.perf_counter() - t0  # a worker does it at start
cold, _cpu, _report = one()  # the first report of a fresh process (fonts, templates, first queries)
warm, warm_cpu, report = one()  # what a running worker takes for the next one
t0 = time.perf_counter(); content = report_content(region=region, month=month); t_content = time.perf_counter() - t0
t0 = time.perf_counter(); html = report_html(content); t_html = time.perf_counter() - t0
t0 = time.perf_counter(); pdf = render_pdf(html); t_pdf = time.perf_counter() - t0
if os.environ.get("BENCH_REPORT_HTML"):
    open(os.environ["BENCH_REPORT_HTML"], "w", encoding="utf-8").write(html)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT {cold:.3f} {warm:.3f} {warm_cpu:.3f} {report.pages} {report.size} {peak:.1f} {t_content:.3f} "
      f"{t_html:.3f} {t_pdf:.3f} {len(content.board.rows)} {len(content.payments)} {len(content.details)} "
      f"{t_import:.3f}")
"""


def month_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=40_000)
    parser.add_argument("--history", type=int, default=12, help="months of coverage snapshots up to the report")
    parser.add_argument("--smoke", action="store_true", help="2.000 participants, 3 months (for CI)")
    parser.add_argument("--keep-pdf", help="copy the rendered PDF here")
    parser.add_argument("--keep-html", help="write the report's HTML here (to study the layout's cost)")
    args = parser.parse_args()
    if args.smoke:
        args.participants, args.history = 2_000, 3
    # Last month, as the monthly job renders it; the loader spreads enrolments over the months before 2026-11.
    today = datetime.datetime.now(JAKARTA).date()
    month = month_back(today.replace(day=1), 1)
    fill = {"YEAR": str(month.year), "MONTH": str(month.month), "PROVINCE": PROVINCE}

    def code(text: str) -> str:
        for key, value in fill.items():
            text = text.replace(key, value)
        return text

    with fresh_postgres(f"bench_rep_{os.getpid()}") as url, tempfile.TemporaryDirectory() as folder:
        env = {"PRIVATE_MEDIA_ROOT": str(Path(folder) / "private")}
        if args.keep_html:
            env["BENCH_REPORT_HTML"] = str(Path(args.keep_html).resolve())
        started = time.perf_counter()
        run_manage(url, "migrate", "--noinput", "-v0")
        run_manage(url, "load_regions", "--provinsi", PROVINCE)
        run_manage(url, "load_boundaries", "--if-available")
        _s, output, _err = manage(url, "shell", "-c", code(SETUP), env=env)
        world = json.loads(next(line for line in output.splitlines() if line.startswith("JSON"))[4:])
        stats = load_people(url, args.participants, world)
        manage(url, "shell", "-c", code(CLAIMS), env=env)
        print(
            f"setup: Provinsi Bengkulu, {len(world['programs']['kabkota'])} kab/kota, "
            f"{n(sum(len(v) for v in world['programs'].values()))} programs, {n(stats['participants'])} participants, "
            f"{n(stats['enrolments'])} enrolments, 60 santunan paid and 15 overdue claims; "
            f"{time.perf_counter() - started:.1f} s"
        )
        seconds, _out, _err = manage(
            url, "compute_coverage", "--since", f"{month_back(month, args.history - 1):%Y-%m}", "--until",
            f"{month:%Y-%m}", env=env,
        )  # fmt: skip
        print(f"coverage snapshots for {args.history} months up to {month:%Y-%m}: {seconds:.1f} s")

        wall, output, _err = manage(url, "shell", "-c", code(MEASURE), env=env)
        result = next(line for line in output.splitlines() if line.startswith("RESULT ")).split()[1:]
        cold, warm, warm_cpu, pages, size, peak, t_content, t_html, t_pdf, rows, payments, details, t_import = result
        verdict = "OK" if float(warm) < TARGET_SECONDS and float(peak) < TARGET_MB else "OVER TARGET"
        print(
            f"province report {month:%Y-%m} ({pages} pages, {int(size) / 1024:.0f} KB; {rows} kab/kota, {payments} "
            f"santunan, {details} kecamatan in the lampiran): {float(warm):.2f} s to render and store in a running "
            f"process (a worker's next report; {float(warm_cpu):.2f} s of CPU), {float(cold):.2f} s for the first one "
            f"of a fresh process after importing WeasyPrint ({float(t_import):.2f} s, done when a worker starts: "
            f"monitoring.tasks.load_pdf_renderer); peak memory {float(peak):.0f} MB  [target < {TARGET_SECONDS} s, "
            f"< {TARGET_MB} MB: {verdict}]"
        )
        print(
            f"  the pieces, warm: content from the selectors {float(t_content):.2f} s, HTML {float(t_html):.2f} s, "
            f"WeasyPrint {float(t_pdf):.2f} s; whole process (Django start, two reports) {wall:.1f} s; machine load "
            f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        target = Path(folder) / "laporan.pdf"
        wall, output, _err = manage(
            url, "render_monitoring_report", "--region", PROVINCE, "--month", f"{month:%Y-%m}", "--output",
            str(target), env=env,
        )  # fmt: skip
        print(f"manage.py render_monitoring_report: {wall:.1f} s wall time; {output.strip()}")
        if args.keep_pdf:
            shutil.copy(target, args.keep_pdf)
        if verdict != "OK" and not args.smoke:
            sys.exit(1)


if __name__ == "__main__":
    main()
