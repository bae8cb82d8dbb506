"""Fixtures for monitoring tests: the hand-built world (tests/monitoring/world.py) and its computed snapshot."""

import pytest

from monitoring.coverage import coverage_compute_month
from tests.monitoring.world import MAY, build_world


@pytest.fixture
def world(regions):
    """The hand-built world, with D's double funding in May (see world.py)."""
    return build_world()


@pytest.fixture
def computed(world):
    """The world with April and May 2026 computed (April gives the change from last month)."""
    coverage_compute_month(month=MAY.replace(month=4))
    coverage_compute_month(month=MAY)
    return world


@pytest.fixture(autouse=True)
def private_cache(settings):
    """A cache of this test's own: dashboard figures are cached, and a shared Redis would carry them over."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "monitoring"}
    }
    from django.core.cache import cache

    cache.clear()
