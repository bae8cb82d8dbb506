import pytest

from programs.models import Region
from programs.services import regions_load
from programs.tasks import count_regions
from rentan.tasks import heartbeat


@pytest.mark.celery_worker
def test_a_real_worker_on_redis_runs_a_task_that_reads_the_database(celery_worker_process):
    regions_load(only=("17",))  # committed: the worker is another process

    result = count_regions.apply_async(kwargs={"level": Region.Level.KABKOTA}, queue=celery_worker_process.queue)

    assert result.get(timeout=90) == 10
    assert result.successful()


def test_tasks_run_inline_when_celery_is_eager():
    from rentan.celery import app

    previous, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        assert heartbeat.delay().get(timeout=5).startswith("20")
    finally:
        app.conf.task_always_eager = previous
