"""The dashboard's rendered figures: cached per scope, region and filters, computed by one process at a time.

Rendering the figures of a province reads a dozen snapshot and claims queries and takes ~100 ms; serving them from
the cache takes a few. Two things made the tail of a busy dashboard long, and this module removes both:

- *stampede*: when a cached page expired (or a computation outdated it), every request arriving in the next
  100 ms rendered it again, all at once, on the same few cores. Now one request renders (it holds a short lock,
  ``cache.add``) while the others are served the copy it replaces, kept for hours next to the fresh one;
- *cold start after a computation*: the coverage job renders the pages people open most (every scope's own
  dashboard and its province and kab/kota pages) right after writing the snapshots (``dashboard_figures_warm``).

A cached copy belongs to one scope (what its user may see, ``selectors.scope_key``), region, filters and language;
the month it shows and the computation it was rendered from are stored inside it, so a recompute is noticed on the
next read.
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from monitoring import selectors
from monitoring.charts import dashboard_charts
from monitoring.coverage import MONTHS_CACHE_KEY
from monitoring.selectors import Dashboard, Measure
from programs.models import FundingSource, Region
from rentan.models import User

logger = logging.getLogger(__name__)

# Figures come from snapshots (a new computation is noticed at once) and from claims and budgets, which may thus
# show up to this many seconds late.
FRESH_SECONDS = 300
# How long an older copy may still be served while one request renders its successor.
STALE_SECONDS = 6 * 60 * 60
# The renderer's lock outlives any normal rendering (~0,1 s at 5M participants, seconds on a loaded machine); a
# renderer that dies leaves the figures to the next request after this.
LOCK_SECONDS = 30
# A request that finds no copy at all waits this long for the renderer before it renders the figures itself.
WAIT_SECONDS = 10
POLL_SECONDS = 0.02
# Part of every key: bump it when the cached dict or its templates change shape, so a deploy never reads old ones.
CACHE_VERSION = "3"

PROBLEMS = {
    "month": gettext_lazy("Ringkasan bulan yang diminta belum dihitung; ditampilkan bulan terakhir yang tersedia."),
    "program": gettext_lazy("Program yang diminta tidak ditemukan di wilayah kerja Anda; ditampilkan semua program."),
    "funding": gettext_lazy("Sumber dana yang diminta tidak dikenal; ditampilkan semua sumber dana."),
}

DEFAULT_FILTERS = {"month": None, "program_code": "", "funding_source": "", "measure": Measure.UCJ}


def filters_query(board: Dashboard) -> str:
    """The filters as a query string, kept by every drill-down link and by the export."""
    params = {"bulan": f"{board.month:%Y-%m}" if board.month else ""}
    if board.program:
        params["program"] = board.program.code
    if board.funding_source:
        params["sumber"] = board.funding_source
    if board.measure != Measure.UCJ:
        params["ukuran"] = board.measure
    return urlencode({k: v for k, v in params.items() if v})


def figures_key(*, scope_key: str, code: str, filters: dict) -> str:
    """The cache key of one page's figures; the month shown and the computation are stored in the value."""
    parts = [
        scope_key,
        code,
        f"{filters['month']}",
        filters["program_code"],
        filters["funding_source"],
        filters["measure"],
        translation.get_language() or "",
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"monitoring:dashboard:{CACHE_VERSION}:{digest}"


def computation_of(versions, month) -> str:
    """What the figures are rendered from: the month shown and when every computed month was computed."""
    return hashlib.sha256(repr((month, versions)).encode()).hexdigest()[:32]


def figures_render(*, user, scope: selectors.Scope, versions, filters: dict) -> dict:
    """The dashboard's figures (everything but the per-user controls), read from snapshots and rendered.

    Everything here depends on the scope, never on the user beyond it: the result is shared by every user with
    the same ``scope_key``.
    """
    board = selectors.dashboard_for_user(user=user, scope=scope, versions=versions, **filters)
    query = filters_query(board)

    def link(code):
        return f"{reverse('monitoring:dashboard_region', args=[code])}?{query}"

    context = {
        "board": board,
        "query": query,
        "charts": dashboard_charts(board, link) if board.month else {},
        "problems": [PROBLEMS[p] for p in board.problems],
        "funding_choices": FundingSource.choices,
    }
    return {
        "title": str(scope.region) if scope.region else "",
        "head": render_to_string("monitoring/_dashboard_head.html", context),
        "figures": render_to_string("monitoring/_dashboard_figures.html", context),
        "query": query,
    }


MISSING = object()


def _store(key: str, computation: str, body: dict) -> None:
    entry = {"computation": computation, "fresh_until": time.time() + FRESH_SECONDS, "body": body}
    cache.set(key, entry, STALE_SECONDS)


def _render_locked(key: str, computation: str, compute: Callable[[], dict]) -> dict | None:
    """Render and store the figures if no one else is rendering them; None when someone is."""
    lock, token = f"{key}:lock", uuid.uuid4().hex
    if not cache.add(lock, token, LOCK_SECONDS):
        return None
    try:
        body = compute()
        _store(key, computation, body)
        return body
    finally:
        if cache.get(lock) == token:  # a renderer slower than LOCK_SECONDS must not drop its successor's lock
            cache.delete(lock)


def figures_get(*, key: str, computation: str, compute: Callable[[], dict], entry=MISSING) -> dict:
    """The figures under ``key``: the cached copy when it is fresh, else rendered by ``compute`` exactly once.

    While one request renders, the others get the copy being replaced (older by at most a few minutes, or of the
    previous computation); only when there is no copy at all do they wait for the renderer, and render themselves
    if it has not finished within WAIT_SECONDS (it died, or the cache is unreachable). ``entry``: what the cache
    held under ``key``, when the caller has read it already.
    """
    if entry is MISSING:
        entry = cache.get(key)
    if entry is not None and entry["computation"] == computation and entry["fresh_until"] > time.time():
        return entry["body"]
    body = _render_locked(key, computation, compute)
    if body is not None:
        return body
    if entry is not None:
        return entry["body"]
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        if cache.get(f"{key}:lock") is not None:
            continue  # still rendering: the lock is a few bytes, a province's figures ~60 KB
        entry = cache.get(key)
        if entry is not None:
            return entry["body"]
        body = _render_locked(key, computation, compute)  # the renderer gave up without storing anything
        if body is not None:
            return body
    logger.warning("Dashboard figures %s: no renderer finished within %s s; rendering here", key, WAIT_SECONDS)
    body = compute()
    _store(key, computation, body)
    return body


def figures_for_user(*, user, code: str | None, filters: dict) -> tuple[dict, object]:
    """The figures of region ``code`` (or of the user's whole scope) for a user whose access was checked, and the
    month they show (None before any computation).

    A cached page costs one cache round trip: the list of computed months and the figures are read together.
    """
    key = figures_key(scope_key=selectors.scope_key(user), code=code or "", filters=filters)
    found = cache.get_many([MONTHS_CACHE_KEY, key])
    versions = found.get(MONTHS_CACHE_KEY)
    if versions is None:
        versions = selectors.coverage_month_versions()
    month, _refused = selectors.resolve_month(versions, filters["month"])

    def compute():
        scope = selectors.dashboard_scope_for_user(user=user, code=code)
        return figures_render(user=user, scope=scope, versions=versions, filters=filters)

    body = figures_get(key=key, computation=computation_of(versions, month), compute=compute, entry=found.get(key))
    return body, month


def _scopes_in_use() -> dict[str, User]:
    """One active user per scope (``selectors.scope_key``), administrators' first.

    Users alike in what decides a scope (administrator or not, role, region, branch) share it: their scope is
    worked out once, so a thousand operators cost a few queries (a branch's regions are one query per branch).
    """
    users = User.objects.filter(is_active=True).order_by("-is_superuser", "pk")
    scopes, seen = {}, set()
    for user in users.iterator():
        alike = (user.is_administrator, user.role, user.region_id, user.branch_id)
        if alike in seen:
            continue
        seen.add(alike)
        key = selectors.scope_key(user)
        if key and key not in scopes:  # "" sees nothing: no dashboard to render
            scopes[key] = user
    return scopes


def _pages_of(user) -> list[str | None]:
    """The pages a scope opens most: its own dashboard, then each province and kab/kota inside it."""
    regions = Region.objects.for_user(user).filter(level__lte=Region.Level.KABKOTA).order_by("level", "code")
    return [None, *regions.values_list("code", flat=True)]


def dashboard_figures_warm() -> int:
    """Render every scope's own dashboard and its province and kab/kota pages (unfiltered, this month's view).

    Run right after a coverage computation, so the first readers of the new figures find them ready instead of
    all rendering them at once. Pages already rendered from this computation are left alone (a reader may have
    been first); returns how many pages were rendered here.
    """
    rendered = 0
    with translation.override(settings.LANGUAGE_CODE):
        versions = selectors.coverage_month_versions()
        month, _refused = selectors.resolve_month(versions, None)
        if month is None:
            return 0
        computation = computation_of(versions, month)
        for scope_key, user in _scopes_in_use().items():
            for code in _pages_of(user):
                key = figures_key(scope_key=scope_key, code=code or "", filters=DEFAULT_FILTERS)
                entry = cache.get(key)
                if entry is not None and entry["computation"] == computation:
                    continue

                def compute(user=user, code=code):
                    scope = selectors.dashboard_scope_for_user(user=user, code=code)
                    return figures_render(user=user, scope=scope, versions=versions, filters=DEFAULT_FILTERS)

                try:
                    rendered += _render_locked(key, computation, compute) is not None
                except Http404:  # a user whose region is gone: their own page answers 404 too
                    continue
    return rendered
