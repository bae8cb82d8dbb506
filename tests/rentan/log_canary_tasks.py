"""A task with a bug, for the log-privacy test: loaded into a real worker with ``--include``."""

from celery import shared_task


@shared_task(name="tests.rentan.heir_account_bug")
def heir_account_bug(heir_id: int, account: str) -> None:
    """Writes an account number the database refuses; PostgreSQL's error lists the whole row (name, NIK, account)."""
    from claims.models import AhliWaris

    AhliWaris.objects.filter(pk=heir_id).update(bank_account=f"{account}-x")
