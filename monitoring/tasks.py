"""Celery tasks of the coverage job: each takes an id (or nothing) and calls one service."""

from celery import shared_task
from celery.signals import worker_init

from monitoring import services
from monitoring.models import CoverageRun

# One month over 5M participants takes well under a minute; a long backfill may take many. Warming the dashboard
# afterwards renders ~0,1 s a page: a few seconds for a province's scopes, minutes for a whole country's.
RUN_LIMITS = {"acks_late": True, "time_limit": 60 * 60, "soft_time_limit": 55 * 60}


@shared_task(**RUN_LIMITS)
def coverage_run_execute(run_id: int) -> str:
    """Compute the months of a queued coverage run (a run already taken is left alone), then render the dashboards
    people open first, so they never meet the new figures cold (pages already rendered from them are kept)."""
    run, _pages = services.coverage_run_complete(run_id=run_id)
    return run.status


@shared_task(**RUN_LIMITS)
def coverage_nightly() -> str:
    """Recompute last month and this month for every region (beat, every night).

    Runs the months here rather than queueing another task; when a run is already going, that one is left to
    finish and nothing new starts.
    """
    first, last = services.nightly_months()
    run, created = services.coverage_run_start(
        first_month=first, last_month=last, trigger=CoverageRun.Trigger.NIGHTLY, enqueue=False
    )
    if not created:
        return "skipped"
    run, _pages = services.coverage_run_complete(run_id=run.pk)
    return run.status


# A province report renders in seconds; the limit stops a runaway layout (WeasyPrint on a pathological table)
# without holding a worker for long. acks_late + reject_on_worker_lost: a worker killed mid-render gives the
# message back to the broker, and the next delivery finishes the report (the service is idempotent).
REPORT_LIMITS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "time_limit": 10 * 60,
    "soft_time_limit": 9 * 60,
}


@shared_task(**REPORT_LIMITS)
def monitoring_report_render(report_id: int) -> str:
    """Render one requested monthly report to PDF (a finished report is left alone)."""
    return services.monitoring_report_render(report_id=report_id).status


@worker_init.connect
def load_pdf_renderer(**kwargs) -> None:
    """Import WeasyPrint when a worker starts (before its pool forks), so its first report is as quick as the next.

    Imported here rather than at the top: the web processes import this module too, and never render a PDF.
    """
    from monitoring.pdf import load_renderer

    load_renderer()


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def monitoring_reports_monthly() -> int:
    """Ask for last month's reports of every province and kab/kota with programs, on the report day (beat,
    daily: any other day does nothing); each report is rendered by its own task."""
    return len(services.monitoring_reports_schedule())
