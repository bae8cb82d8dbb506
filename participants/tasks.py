"""Celery tasks for list imports: each takes an id and calls one service (which is idempotent)."""

from celery import shared_task

from participants import services

# A province-sized list (millions of rows) takes minutes; the settings' hour limit is the ceiling.
IMPORT_LIMITS = {"acks_late": True, "time_limit": 60 * 60, "soft_time_limit": 55 * 60}


@shared_task(**IMPORT_LIMITS)
def import_batch_validate(batch_id: int) -> str:
    """Check an uploaded participant list and prepare its preview."""
    return services.import_batch_validate(batch_id=batch_id).status


@shared_task(**IMPORT_LIMITS)
def import_batch_commit(batch_id: int) -> str:
    """Write a confirmed participant list."""
    return services.import_batch_commit(batch_id=batch_id).status


@shared_task(**IMPORT_LIMITS)
def bpjs_reply_import(batch_id: int) -> str:
    """Store the KPJ numbers from BPJS's reply to a collective registration."""
    return services.bpjs_reply_import(batch_id=batch_id).status


@shared_task
def import_batches_discard_stale() -> int:
    """Drop checked lists nobody confirmed in time."""
    return services.import_batches_discard_stale()
