from celery import shared_task

from programs.models import Region


@shared_task
def count_regions(level: int | None = None) -> int:
    """Count regions from a worker: a round trip through the broker and the database."""
    regions = Region.objects.all()
    if level is not None:
        regions = regions.filter(level=level)
    return regions.count()
