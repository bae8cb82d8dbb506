from celery import shared_task
from django.utils import timezone


@shared_task
def heartbeat() -> str:
    """Prove that beat, the broker and a worker are connected; the time tells when it last ran."""
    return timezone.now().isoformat()
