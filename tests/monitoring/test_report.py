"""The monthly rapat monitoring report: its figures (hand-counted, and equal to the dashboard's), safe rendering,
versions, the schedule, the command; the pages are written as PNG to test-artifacts/ for a person to look at."""

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from monitoring import pdf as report_pdf
from monitoring import services
from monitoring.models import MonitoringReport, ReportNote
from monitoring.reports import report_content, report_html
from programs.models import Holiday, Program, Region
from rentan.formatting import mask_name
from rentan.models import AuditEvent
from tests.monitoring.report_world import HEIR_NAME, add_report_data
from tests.monitoring.test_dashboard import table_of
from tests.monitoring.world import KAUR, KOTA, MAY, D

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "monitoring-report"


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private"},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def report_world(computed, disnaker_provinsi, private_storage):
    computed.extra = add_report_data(computed, author=disnaker_provinsi)
    return computed


def pdf_text(content: bytes, *, layout: bool = True) -> str:
    """The PDF's text as pdftotext reads it (table rows kept on one line with ``layout``; without it, each cell's
    text in one piece), whitespace runs folded to one space."""
    result = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), "-", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return re.sub(r"\s+", " ", result.stdout.decode("utf-8"))


def render(region_code="17", month=MAY, **kwargs) -> MonitoringReport:
    report, _created = services.monitoring_report_request(
        region=Region.objects.get(code=region_code), month=month, trigger=MonitoringReport.Trigger.COMMAND,
        enqueue=False, **kwargs,
    )  # fmt: skip
    return services.monitoring_report_render(report_id=report.pk)


def content_of(report: MonitoringReport) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


def write_pngs(content: bytes, name: str) -> list[Path]:
    """Every page as PNG (pdftoppm, 60 dpi) under test-artifacts/monitoring-report/<name>/."""
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "laporan.pdf").write_bytes(content)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(folder / "laporan.pdf"), str(folder / "halaman")], check=True)
    return sorted(folder.glob("halaman-*.png"))


def test_the_province_report_shows_the_hand_counted_figures(report_world):
    report = render()
    assert report.status == MonitoringReport.Status.DONE, report.error_message
    content = content_of(report)
    text = pdf_text(content)
    assert content.startswith(b"%PDF-") and report.pages == len(PdfReader(io.BytesIO(content)).pages) >= 7
    pngs = write_pngs(content, "provinsi-bengkulu-2026-05")
    assert len(pngs) == report.pages

    # 1. cover
    assert "Provinsi Bengkulu" in text and "Bulan Mei 2026" in text and "Versi 1" in text
    # 2. sentences a Sekda reads aloud (April: 6 active; May: 7; UCJ 0,60% → 0,70%)
    assert "Peserta aktif naik 1 jiwa menjadi 7 jiwa." in text
    assert "Cakupan UCJ naik 0,10 poin menjadi 0,70%, dengan target 48,00%." in text
    assert "Cakupan pekerja rentan belum dapat dihitung: semesta pekerja rentan belum diisi." in text
    # gap 20 − 7 = 13 jiwa × Rp16.800 (SG: JKK 1% of Rp1.000.000 + JKM Rp6.800) × 12
    assert "masih kurang 13 jiwa; menutup kekurangan itu perlu Rp2.620.800 setahun." in text
    # realisasi: iuran paid (SP2D) this year through programs.selectors.program_realisation; none in this world
    assert "Pagu 2026 untuk 2 program sebesar Rp203.616.000; realisasinya Rp0, sisa Rp203.616.000." in text
    assert "9 wilayah belum memiliki program atau pagu 2026: Kabupaten Bengkulu Selatan," in text
    assert "dan 5 lainnya (lihat bagian 6)" in text
    assert "Bulan ini dibayar 2 klaim senilai Rp47.000.000 (bulan lalu 0 klaim, Rp0)." in text
    assert "1 dari 3 klaim yang jatuh tempo bulan ini dibayar tepat waktu (kepatuhan SLA 33,33%)." in text
    assert "1 klaim sudah melewati batas waktu bayar." in text
    # 3. kepesertaan: the child rows (Kota 4 of 200 bekerja = 2,00%; Kaur 3 of 100 = 3,00%)
    assert re.search(r"Kota Bengkulu 4 \+?0 2,00% 48,00% 8,00% 10 6", text)
    assert re.search(r"Kabupaten Kaur 3 \+1 3,00% 48,00% - 5 2", text)
    # 4. anggaran: the latest revision counts; Kaur has a program but no pagu, the other kab/kota none at all
    assert "Rp201.600.000" in text and "Rp100.000.000" not in text
    assert "Ada program, belum ada pagu: Kabupaten Kaur." in text
    assert "Tanpa program: Kabupaten Bengkulu Selatan" in text
    # 5. santunan: heir masked, NIK masked, amounts and their total
    assert "Siti A. C." in text and HEIR_NAME not in text and "1771055506870001" not in text
    assert "1771••••••••0001" in text or "1771" in text
    assert "Rp42.000.000" in text and "Rp5.000.000" in text and "Rp47.000.000" in text
    # 7. catatan
    assert "Kabupaten Kaur segera menetapkan pagu Dana Desa Gedung Wani." in text
    # 8. lampiran: kecamatan under their kab/kota, two to a row (Selebar: D; Kampung Melayu: A, B, C; Kinal: G, H, J),
    # and the overdue claim with its days late
    assert re.search(r"Kota Bengkulu \(17\.71\) 17\.71\.01 Kecamatan Selebar 1 - 17\.71\.02 Kecamatan Gading 0 -", text)
    assert re.search(r"17\.71\.05 Kecamatan Kampung[^0-9]* 3 - ", text)
    assert re.search(r"Kabupaten Kaur \(17\.04\) 17\.04\.01 Kecamatan Kinal 3 - ", text)
    assert report_world.people["J"].nama in text


def test_every_figure_equals_the_dashboard_for_the_same_region_and_month(client, report_world, sekda):
    text = pdf_text(content_of(render()))
    client.force_login(sekda)
    page = client.get(reverse("monitoring:dashboard_region", args=["17"]), {"bulan": "2026-05"}).text
    table = table_of(page)
    assert set(table.order) >= {KOTA, KAUR, "17"}
    for code in table.order:
        row = table.rows[code]
        name = "Jumlah" if code == "17" else Region.objects.get(code=code).display_name
        expected = f"{name} {row['active']} "
        assert expected in text, f"{code}: {expected!r} not in the PDF"
        for field in ("coverage-ucj", "coverage-rentan", "gap-jiwa"):
            assert row[field] in text
        index = text.index(expected)
        shown_row = text[index : index + 120]
        assert row["coverage-ucj"] in shown_row and row["coverage-rentan"] in shown_row, (code, shown_row, row)
    for testid in ("active", "coverage-ucj", "pagu", "claims-paid", "claims-amount"):
        value = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page).group(1).strip()
        assert value in text, f"{testid} {value!r} not in the PDF"


@pytest.mark.parametrize("payload", ['<img src="file:///etc/passwd">', '<img src="http://127.0.0.1:9/x.png">'])
def test_markup_in_a_participant_or_heir_name_is_printed_as_text_and_fetches_nothing(
    computed, disnaker_provinsi, private_storage, monkeypatch, payload
):
    person = computed.people["A"]
    person.nama = f"Budi {payload}"
    person.save(update_fields=["nama"])
    add_report_data(computed, author=disnaker_provinsi, heir_name=f"{payload} Siti")
    asked = []
    original = report_pdf.make_fetcher
    monkeypatch.setattr(report_pdf, "make_fetcher", lambda log=None: original(asked if log is None else _both(log)))

    def _both(log):
        class Both(list):
            def append(self, item):
                asked.append(item)
                log.append(item)

        return Both()

    report = render()
    assert report.status == MonitoringReport.Status.DONE
    # A long word may be broken across lines by the layout: compare with the whitespace taken out.
    text = "".join(pdf_text(content_of(report), layout=False).split())
    assert "".join(f"Budi {payload}".split()) in text  # the participant's name, literally
    heir = mask_name(f"{payload} Siti")
    assert heir.startswith("<img ") and "".join(heir.split()) in text  # the heir's, masked, still as text
    assert "Siti" not in text.split("Penerima")[-1].split("Rp42.000.000")[0]
    assert asked and all(url.startswith("rentan-static:") for url in asked), asked
    assert "passwd" not in "".join(asked) and "http" not in "".join(asked)
    assert "root:" not in text


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = report_pdf.make_fetcher()
    assert b"@page" in fetcher.fetch("rentan-static:css/report.css").read()
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://contoh.invalid/a.css",
        "data:text/css,body{}",
        "rentan-static:../../../../etc/passwd",
        "rentan-static:/etc/passwd",
        "rentan-static:css/../../manage.py",
        "rentan-static:css/tidak-ada.css",
        "ftp://contoh.invalid/a.css",
    ):
        with pytest.raises(report_pdf.FetchRefused):
            fetcher.fetch(url)


def test_attachments_are_never_embedded():
    html = (
        '<html><head><link rel="attachment" href="rentan-static:css/report.css"></head>'
        '<body><a rel="attachment" href="rentan-static:css/report.css">lampiran</a></body></html>'
    )
    rendered = report_pdf.render_pdf(html)
    reader = PdfReader(io.BytesIO(rendered.content))
    assert not reader.attachments
    assert b"/EmbeddedFile" not in rendered.content


def test_rendering_again_makes_a_new_version_and_keeps_the_old_one(report_world):
    first, second = render(), render()
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    assert first.file.storage.exists(first.file.name) and second.file.storage.exists(second.file.name)
    assert "Versi 2" in pdf_text(content_of(second))


def test_a_second_run_of_a_finished_report_does_nothing(report_world):
    report = render()
    again = services.monitoring_report_render(report_id=report.pk)
    assert (again.status, again.attempts, again.file.name) == ("DONE", 1, report.file.name)
    assert MonitoringReport.objects.count() == 1


def test_a_month_without_a_snapshot_is_refused_with_a_reason(report_world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="belum dihitung"):
        render(month=D(2026, 3, 1))


def test_the_report_is_stored_privately_outside_the_web_root(report_world, private_storage):
    report = render()
    path = Path(report.file.path)
    assert path.is_relative_to(private_storage) and not path.is_relative_to(Path(settings.STATIC_ROOT))
    assert "17" in report.file.name and report.file.name.endswith(".pdf")


def test_the_schedule_renders_last_month_on_the_first_working_day_only(report_world, monkeypatch):
    queued = []
    monkeypatch.setattr("monitoring.tasks.monitoring_report_render.delay", queued.append)
    Holiday.objects.filter(date__range=(D(2026, 6, 1), D(2026, 6, 5))).delete()
    Holiday.objects.create(date=D(2026, 6, 1), name="Hari Lahir Pancasila", kind="libur_nasional", source="uji")
    assert services.report_day(D(2026, 6, 1)) == D(2026, 6, 2)  # 1 June: a holiday (Monday)
    assert services.monitoring_reports_schedule(today=D(2026, 6, 1)) == []
    made = services.monitoring_reports_schedule(today=D(2026, 6, 2))
    # Provinsi Bengkulu (its program), Kota Bengkulu and Kaur (desa programs inside them); not the others.
    assert sorted(r.region_id for r in made) == ["17", "17.04", "17.71"]
    assert {(r.month, r.trigger, r.version) for r in made} == {(MAY, "SCHEDULE", 1)}
    again = services.monitoring_reports_schedule(today=D(2026, 6, 2))
    assert sorted(r.pk for r in again) == sorted(r.pk for r in made)
    assert MonitoringReport.objects.count() == 3
    assert services.monitoring_reports_schedule(today=D(2026, 6, 3)) == []


def test_the_working_day_of_the_schedule_is_a_setting(report_world, settings):
    settings.MONITORING_REPORT_WORKING_DAY = 3
    Holiday.objects.filter(date__range=(D(2026, 6, 1), D(2026, 6, 10))).delete()
    assert services.report_day(D(2026, 6, 1)) == D(2026, 6, 3)


def test_the_beat_schedule_calls_the_monthly_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-reports-monthly"]
    assert entry["task"] == "monitoring.tasks.monitoring_reports_monthly"
    from monitoring import tasks

    assert tasks.monitoring_report_render.acks_late and tasks.monitoring_report_render.reject_on_worker_lost
    assert tasks.monitoring_report_render.time_limit and tasks.monitoring_report_render.soft_time_limit


def test_the_command_renders_a_version_and_copies_it(report_world, tmp_path):
    target = tmp_path / "laporan.pdf"
    out = io.StringIO()
    call_command(
        "render_monitoring_report", "--region", KOTA, "--month", "2026-05", "--output", str(target), stdout=out
    )
    assert "versi 1" in out.getvalue() and target.read_bytes().startswith(b"%PDF-")
    report = MonitoringReport.objects.get()
    assert (report.region_id, report.trigger, report.status) == (KOTA, "COMMAND", "DONE")
    text = pdf_text(target.read_bytes())
    assert "Kota Bengkulu" in text and "Kecamatan" in text
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("render_monitoring_report", "--region", KOTA, "--month", "Mei")
    with pytest.raises(CommandError, match="belum dihitung"):
        call_command("render_monitoring_report", "--region", KOTA, "--month", "2026-01")


def test_the_content_reads_the_same_budget_rule_as_the_dashboard(report_world):
    content = report_content(region=Region.objects.get(code="17"), month=MAY)
    listed = sum((line.pagu for line in content.programs if line.pagu is not None), Decimal(0))
    assert listed == content.board.pagu == Decimal("203616000")
    prov = next(line for line in content.programs if line.program.pk == report_world.prov.pk)
    assert prov.burn_down is not None and prov.runs_out_in is None  # Rp201,6 jt pays 4–6 people all year
    assert "<html" in report_html(content)


def test_programs_with_arrears_are_named(report_world):
    from participants.models import Enrolment

    Enrolment.objects.filter(program=report_world.prov, participant=report_world.people["A"]).update(arrears_months=2)
    text = pdf_text(content_of(render()))
    assert f"{Program.objects.get(pk=report_world.prov.pk).name}: 1 peserta menunggak, 2 bulan iuran" in text
    assert "1 program menunggak iuran" in text


def test_report_day_in_a_month_that_starts_on_a_weekend():
    assert services.report_day(datetime.date(2026, 8, 1)) >= datetime.date(2026, 8, 3)


def test_downloading_a_report_is_audited(client, report_world, sekda):
    report = render()
    client.force_login(sekda)
    response = client.get(reverse("monitoring:report_download", args=[report.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(action="download", object_type="monitoring.MonitoringReport")
    assert (event.user, event.object_id, event.region_code) == (sekda, str(report.pk), "17")


# --- pages -----------------------------------------------------------------------------------------------------
@pytest.fixture
def eager_celery():
    from rentan.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


def test_the_button_renders_a_new_version_that_the_region_page_lists(
    client, report_world, disnaker_provinsi, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(disnaker_provinsi)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:report_request", args=["17"]), {"month": "2026-05"})
    assert response.status_code == 302
    report = MonitoringReport.objects.get()
    assert (report.status, report.trigger, report.requested_by, report.version) == (
        "DONE",
        "BUTTON",
        disnaker_provinsi,
        1,
    )
    page = client.get(reverse("monitoring:report_region", args=["17"]), {"bulan": "2026-05"}).text
    assert reverse("monitoring:report_download", args=[report.pk]) in page and "Mei 2026" in page
    assert "Kabupaten Kaur segera menetapkan pagu" in page  # the month's notes
    index = client.get(reverse("monitoring:report_index")).text
    assert reverse("monitoring:report_region", args=["17.71"]) in index
    assert AuditEvent.objects.filter(object_type="monitoring.MonitoringReport", action="create").exists()


def test_a_month_not_computed_is_refused_by_the_button_with_a_message(client, report_world, disnaker_provinsi):
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:report_request", args=["17"]), {"month": "2026-02"}, follow=True)
    assert "belum dihitung" in response.text and not MonitoringReport.objects.exists()


@pytest.mark.parametrize("persona", ["sekda", "bpjs_cabang"])
def test_readers_may_not_render_or_write_notes(client, request, report_world, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    code = "17" if persona == "sekda" else KOTA
    assert client.post(reverse("monitoring:report_request", args=[code]), {"month": "2026-05"}).status_code == 403
    note = {"month": "2026-05", "kind": "CATATAN", "text": "x"}
    assert client.post(reverse("monitoring:report_note_create", args=[code]), note).status_code == 403
    assert not MonitoringReport.objects.exists()


def test_a_report_of_another_region_answers_like_a_missing_one(client, report_world, disnaker_kota_bengkulu):
    kaur = render(KAUR)
    client.force_login(disnaker_kota_bengkulu)
    foreign = client.get(reverse("monitoring:report_download", args=[kaur.pk]))
    missing = client.get(reverse("monitoring:report_download", args=[987654]))
    assert foreign.status_code == missing.status_code == 404  # the matrix compares the bodies too
    assert client.get(reverse("monitoring:report_region", args=[KAUR])).status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_notes_are_written_changed_and_removed_by_operators_of_the_region(
    client, report_world, disnaker_provinsi, disnaker_kota_bengkulu
):
    client.force_login(disnaker_kota_bengkulu)
    url = reverse("monitoring:report_note_create", args=[KOTA])
    client.post(url, {"month": "2026-05", "kind": "REKOMENDASI", "text": "Tambah 10 jiwa nelayan."})
    note = ReportNote.objects.get(region_id=KOTA)
    assert (note.author, note.month, note.kind) == (disnaker_kota_bengkulu, MAY, "REKOMENDASI")
    edit = reverse("monitoring:report_note_edit", args=[note.pk])
    assert client.post(edit, {"kind": "CATATAN", "text": "Tambah 12 jiwa nelayan."}).status_code == 302
    note.refresh_from_db()
    assert note.text == "Tambah 12 jiwa nelayan." and note.kind == "CATATAN"
    assert "Tambah 12 jiwa nelayan." in pdf_text(content_of(render(KOTA)))
    province_note = ReportNote.objects.get(region_id="17")
    assert client.get(reverse("monitoring:report_note_edit", args=[province_note.pk])).status_code == 404
    assert client.post(reverse("monitoring:report_note_delete", args=[province_note.pk])).status_code == 404
    assert client.post(reverse("monitoring:report_note_delete", args=[note.pk])).status_code == 302
    assert not ReportNote.objects.filter(pk=note.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="monitoring.ReportNote").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_realisasi_is_the_iuran_paid_this_year_and_leaves_the_rest_of_the_pagu(
    report_world, disnaker_provinsi, django_capture_on_commit_callbacks, client, sekda
):
    from programs.billing import bill_generate, payment_create

    bill = bill_generate(program=report_world.prov, month=MAY).bill
    payment_create(
        user=disnaker_provinsi,
        program=report_world.prov,
        data={"bill": bill, "paid_on": D(2026, 5, 20), "amount": Decimal("1000000"), "sp2d_number": "SP2D-UJI-1",
              "kode_rekening": "5.1.02.01.01.0001"},
    )  # fmt: skip
    text = pdf_text(content_of(render()))
    assert "Pagu 2026 untuk 2 program sebesar Rp203.616.000; realisasinya Rp1.000.000, sisa Rp202.616.000." in text
    assert re.search(r"APBD Provinsi Bengkulu\s+Rp201\.600\.000\s+Rp1\.000\.000\s+Rp200\.600\.000", text)
    assert "SG · Provinsi Bengkulu" in text
    # The dashboard shows the same realisasi for the same region and month.
    client.force_login(sekda)
    page = client.get(reverse("monitoring:dashboard_region", args=["17"]), {"bulan": "2026-05"}).text
    shown = re.search(r'data-testid="realisasi"[^>]*>([^<]*)<', page).group(1)
    assert "Realisasi Rp1.000.000 (0,49% dari pagu)" in shown


@pytest.mark.parametrize(
    ("name", "masked"),
    [("Siti Aminah Contoh", "Siti A. C."), ("Sukarmi", "Suk•••"), ("Ani", "Ani"), ("", ""), (None, "")],
)
def test_heir_names_keep_the_first_name_and_initials(name, masked):
    assert mask_name(name) == masked
