"""Coverage runs: the button (with its HTMX status), the Celery tasks, the nightly schedule, the command."""

import time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse

from monitoring import services, tasks
from monitoring.coverage import add_months, current_month
from monitoring.models import CoverageMonth, CoverageRun, CoverageSnapshot
from rentan.models import AuditEvent
from tests.monitoring.world import KOTA, MAY, D, build_world

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def eager_celery():
    from rentan.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_the_button_computes_the_month_shown_and_reports_done(
    client, disnaker_provinsi, world, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(disnaker_provinsi)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:run_start"), {"month": "2026-05"}, **HTMX)
    assert response.status_code == 200
    assert 'data-testid="coverage-run"' in response.text  # queued: the task starts once the request commits
    run = CoverageRun.objects.get()
    status = client.get(reverse("monitoring:run_status", args=[run.pk])).text
    assert 'data-status="DONE"' in status and "Perhitungan cakupan selesai" in status
    run.refresh_from_db()
    assert (run.first_month, run.last_month, run.trigger, run.requested_by) == (MAY, MAY, "BUTTON", disnaker_provinsi)
    assert run.progress == 100 and run.months_done == 1
    assert CoverageSnapshot.objects.get(region_id=KOTA, month=MAY, program=None, funding_source="").active == 4
    assert AuditEvent.objects.filter(object_type="monitoring.CoverageRun", user=disnaker_provinsi).exists()


@pytest.mark.django_db
def test_without_htmx_the_button_redirects_back_with_a_message(
    client, disnaker_kota_bengkulu, world, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(disnaker_kota_bengkulu)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("monitoring:run_start"), {"month": "2026-05", "next": f"/dasbor/wilayah/{KOTA}/"}
        )
    assert response.status_code == 302 and response["Location"] == f"/dasbor/wilayah/{KOTA}/"
    assert CoverageMonth.objects.filter(month=MAY).exists()


@pytest.mark.django_db
def test_the_button_never_sends_anyone_off_site(client, disnaker_provinsi, world, monkeypatch):
    monkeypatch.setattr(services, "coverage_run_start", lambda **kwargs: (CoverageRun(pk=1), False))
    monkeypatch.setattr(CoverageRun, "refresh_from_db", lambda self: None)
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:run_start"), {"month": "2026-05", "next": "https://contoh.invalid/"})
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:dashboard")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["sekda", "bpjs_cabang"])
def test_pimpinan_and_bpjs_officers_may_not_press_the_button(client, request, persona, world):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("monitoring:run_start"), {"month": "2026-05"}).status_code == 403
    assert not CoverageRun.objects.exists()


@pytest.mark.django_db
def test_while_a_run_is_going_a_second_press_shows_that_run(client, disnaker_provinsi, world):
    running = CoverageRun.objects.create(first_month=MAY, last_month=MAY, trigger="NIGHTLY", status="RUNNING")
    client.force_login(disnaker_provinsi)
    response = client.post(reverse("monitoring:run_start"), {"month": "2026-05"}, **HTMX)
    assert CoverageRun.objects.count() == 1
    assert "Perhitungan lain sedang berjalan" in response.text
    assert f'hx-get="{reverse("monitoring:run_status", args=[running.pk])}"' in response.text
    assert 'hx-trigger="every 1s"' in response.text


@pytest.mark.django_db
def test_the_status_stops_polling_once_the_run_is_over(client, sekda, world):
    run = CoverageRun.objects.create(first_month=MAY, last_month=MAY, trigger="NIGHTLY", status="RUNNING", progress=40)
    client.force_login(sekda)
    running = client.get(reverse("monitoring:run_status", args=[run.pk])).text
    assert 'hx-trigger="every 1s"' in running and "40%" in running
    CoverageRun.objects.filter(pk=run.pk).update(status="DONE", progress=100, months_done=1)
    done = client.get(reverse("monitoring:run_status", args=[run.pk])).text
    assert "hx-trigger" not in done and "selesai" in done
    assert client.get(reverse("monitoring:run_status", args=[run.pk + 1000])).status_code == 404


@pytest.mark.django_db
def test_a_run_is_executed_once_even_if_the_task_is_delivered_twice(world):
    run, created = services.coverage_run_start(first_month=MAY, trigger="COMMAND", enqueue=False)
    assert created
    assert tasks.coverage_run_execute(run.pk) == "DONE"
    computed_at = CoverageMonth.objects.get(month=MAY).computed_at
    assert tasks.coverage_run_execute(run.pk) == "DONE"  # not QUEUED any more: nothing happens
    assert CoverageMonth.objects.get(month=MAY).computed_at == computed_at


@pytest.mark.django_db
def test_a_failed_run_keeps_the_months_done_and_says_why_in_indonesian(world, monkeypatch):
    from monitoring import coverage

    real = coverage.coverage_compute_month

    def fail_in_june(*, month, **kwargs):
        if month == D(2026, 6, 1):
            raise DatabaseError("could not extend file: No space left on device")
        return real(month=month, **kwargs)

    monkeypatch.setattr(services, "coverage_compute_month", fail_in_june)
    run, _ = services.coverage_run_start(first_month=MAY, last_month=D(2026, 7, 1), trigger="COMMAND", enqueue=False)
    run = services.coverage_run_execute(run_id=run.pk)
    assert run.status == "FAILED" and run.months_done == 1
    assert run.error_message.startswith("Perhitungan Juni 2026 gagal:")
    assert CoverageMonth.objects.filter(month=MAY).exists()
    assert not CoverageMonth.objects.filter(month=D(2026, 6, 1)).exists()


@pytest.mark.django_db
def test_a_stale_run_does_not_block_a_new_one(world):
    stale = CoverageRun.objects.create(first_month=MAY, last_month=MAY, trigger="NIGHTLY", status="RUNNING")
    CoverageRun.objects.filter(pk=stale.pk).update(created_at=stale.created_at - services.STALE_RUN * 2)
    _run, created = services.coverage_run_start(first_month=MAY, trigger="COMMAND", enqueue=False)
    assert created


@pytest.mark.django_db
def test_the_nightly_task_recomputes_last_month_and_this_month(world):
    assert tasks.coverage_nightly() == "DONE"
    this_month = current_month()
    assert set(CoverageMonth.objects.values_list("month", flat=True)) == {add_months(this_month, -1), this_month}
    assert CoverageRun.objects.get().trigger == "NIGHTLY"


def test_beat_runs_the_coverage_job_every_night():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "monitoring.tasks.coverage_nightly"]
    assert len(entries) == 1
    assert entries[0]["schedule"].hour == {1}


@pytest.mark.django_db
def test_compute_coverage_command_for_one_month_a_range_and_everything(world, capsys):
    call_command("compute_coverage", "--month", "2026-05")
    assert "1 bulan (Mei 2026 – Mei 2026)" in capsys.readouterr().out
    assert CoverageSnapshot.objects.get(region_id=KOTA, month=MAY, program=None, funding_source="").active == 4
    call_command("compute_coverage", "--since", "2026-01", "--until", "2026-03")
    assert set(CoverageMonth.objects.values_list("month", flat=True)) == {D(2026, m, 1) for m in (1, 2, 3, 5)}
    call_command("compute_coverage", "--all")
    months = sorted(CoverageMonth.objects.values_list("month", flat=True))
    assert months[0] == D(2025, 1, 1)  # J's enrolment, the earliest
    assert months[-1] == current_month()
    assert len(months) == len(set(months))


@pytest.mark.django_db
def test_compute_coverage_command_defaults_to_this_month_and_refuses_bad_months(world):
    call_command("compute_coverage")
    assert list(CoverageMonth.objects.values_list("month", flat=True)) == [current_month()]
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("compute_coverage", "--month", "Mei 2026")
    with pytest.raises(CommandError, match="sebelum"):
        call_command("compute_coverage", "--since", "2026-05", "--until", "2026-01")


@pytest.mark.celery_worker
@pytest.mark.slow
def test_the_button_hands_the_run_to_a_real_worker(celery_worker_process, client, regions):
    """A real worker on Redis computes the run; the page's status partial follows it to the end."""
    from rentan.celery import app
    from tests.conftest import make_user

    build_world(double_funding=False)
    operator = make_user("operator-provinsi", "disnaker", region="17")
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, celery_worker_process.queue
    try:
        client.force_login(operator)
        client.post(reverse("monitoring:run_start"), {"month": "2026-05"}, **HTMX)
        run = CoverageRun.objects.get()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = client.get(reverse("monitoring:run_status", args=[run.pk])).text
            if 'data-status="DONE"' in status or 'data-status="FAILED"' in status:
                break
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
    assert 'data-status="DONE"' in status
    assert CoverageSnapshot.objects.get(region_id=KOTA, month=MAY, program=None, funding_source="").active == 4
