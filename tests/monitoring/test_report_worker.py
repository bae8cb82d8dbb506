"""A real Celery worker on Redis renders a report; killed (SIGKILL) mid-render, it still leaves exactly one."""

import os
import signal
import time

import pytest
from celery.signals import worker_init

from monitoring import pdf, services, tasks
from monitoring.coverage import coverage_compute_month
from monitoring.models import MonitoringReport
from monitoring.tasks import monitoring_report_render
from programs.models import Region
from tests.conftest import make_user
from tests.monitoring.report_world import add_report_data
from tests.monitoring.world import MAY, build_world


@pytest.fixture
def shared_private_root(tmp_path, settings, monkeypatch):
    """One private storage folder for this process and the worker (which reads PRIVATE_MEDIA_ROOT)."""
    root = tmp_path / "private"
    monkeypatch.setenv("PRIVATE_MEDIA_ROOT", str(root))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


def wait_for(predicate, seconds: float, step: float = 0.01):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


@pytest.mark.celery_worker
@pytest.mark.slow
def test_a_worker_killed_while_rendering_leaves_exactly_one_finished_report(
    shared_private_root, celery_worker_process, regions
):
    world = build_world(double_funding=False)
    operator = make_user("operator-laporan", "disnaker", region="17")
    add_report_data(world, author=operator)
    coverage_compute_month(month=MAY.replace(month=4))
    coverage_compute_month(month=MAY)
    report, _created = services.monitoring_report_request(
        region=Region.objects.get(code="17"), month=MAY, trigger=MonitoringReport.Trigger.BUTTON, user=operator,
        enqueue=False,
    )  # fmt: skip

    monitoring_report_render.apply_async(args=[report.pk], queue=celery_worker_process.queue)

    def running():
        row = MonitoringReport.objects.filter(pk=report.pk).values("status", "worker").first()
        return row if row["status"] != MonitoringReport.Status.PENDING and row["worker"] else None

    seen = wait_for(running, 120)
    assert seen and seen["status"] == MonitoringReport.Status.RUNNING, f"not caught while rendering: {seen}"
    pid = int(seen["worker"].rsplit(":", 1)[1])
    assert pid != celery_worker_process.process.pid  # the pool process doing the work, not the main process
    os.kill(pid, signal.SIGKILL)

    # The message comes back (acks_late + reject_on_worker_lost), the main process starts a new pool process, and
    # the next delivery takes the report over: the killed render's lock died with its connection.
    done = wait_for(
        lambda: MonitoringReport.objects.filter(pk=report.pk, status=MonitoringReport.Status.DONE).first(), 180, 0.2
    )
    assert done is not None, MonitoringReport.objects.get(pk=report.pk).__dict__
    assert done.attempts == 2 and int(done.worker.rsplit(":", 1)[1]) != pid

    # Restart the worker and deliver the task once more: a finished report is left alone.
    celery_worker_process.stop()
    celery_worker_process.start()
    result = monitoring_report_render.apply_async(args=[report.pk], queue=celery_worker_process.queue)
    assert result.get(timeout=120) == MonitoringReport.Status.DONE
    assert MonitoringReport.objects.count() == 1
    again = MonitoringReport.objects.get()
    assert (again.attempts, again.file.name, again.version) == (2, done.file.name, 1)
    files = [p for p in shared_private_root.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [os.path.basename(done.file.name)]  # no half-written second file
    with again.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_starting_worker_imports_the_pdf_renderer_before_its_first_report(monkeypatch):
    """WeasyPrint's import takes about a second: at worker start, not in the first report's time."""
    loaded = []
    monkeypatch.setattr(pdf, "_weasyprint", lambda: loaded.append("weasyprint"))
    assert tasks.load_pdf_renderer in [ref() for _key, ref in worker_init.receivers]
    tasks.load_pdf_renderer(sender=None)
    assert loaded == ["weasyprint"]
