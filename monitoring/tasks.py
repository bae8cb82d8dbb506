"""Celery tasks of the coverage job: each takes an id (or nothing) and calls one service."""

from celery import shared_task

from monitoring import services
from monitoring.models import CoverageRun

# One month over 5M participants takes well under a minute; a long backfill may take many.
RUN_LIMITS = {"acks_late": True, "time_limit": 60 * 60, "soft_time_limit": 55 * 60}


@shared_task(**RUN_LIMITS)
def coverage_run_execute(run_id: int) -> str:
    """Compute the months of a queued coverage run (a run already taken is left alone)."""
    return services.coverage_run_execute(run_id=run_id).status


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
    return services.coverage_run_execute(run_id=run.pk).status
