"""The dashboard's figures cache: one renderer at a time, the old copy served meanwhile, warm after a computation."""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring import dashboard_cache, services, tasks
from monitoring.selectors import scope_key
from programs.models import Region
from rentan.models import User
from tests.conftest import make_user
from tests.monitoring.test_dashboard import PROVINCE, other_kab_kota_canaries, shown
from tests.monitoring.world import KOTA, MAY

KEY = "test:dashboard-figures"
CLIENTS = 20


class Renderer:
    """A ``compute`` that counts its calls and, when asked, holds until released (a slow rendering)."""

    def __init__(self, body: dict, *, hold: bool = False):
        self.body, self.calls, self.lock = body, 0, threading.Lock()
        self.started, self.release = threading.Event(), threading.Event()
        if not hold:
            self.release.set()

    def __call__(self) -> dict:
        with self.lock:
            self.calls += 1
        self.started.set()
        assert self.release.wait(timeout=10)
        return self.body


def concurrently(count: int, function) -> list:
    """``function()`` in ``count`` threads started together; their results."""
    results, start = [None] * count, threading.Barrier(count)

    def run(i):
        start.wait()
        results[i] = function()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def join(threads) -> None:
    for thread in threads:
        thread.join(timeout=20)
        assert not thread.is_alive()


@pytest.mark.parametrize("change", ["expired", "recomputed"])
def test_concurrent_requests_on_an_outdated_copy_render_it_once_and_get_the_old_copy_meanwhile(monkeypatch, change):
    dashboard_cache.figures_get(key=KEY, computation="c1", compute=Renderer({"page": "old"}))
    if change == "expired":
        entry = cache.get(KEY)
        cache.set(KEY, {**entry, "fresh_until": time.time() - 1})
    computation = "c1" if change == "expired" else "c2"
    renderer = Renderer({"page": "new"}, hold=True)

    threads, results = concurrently(
        CLIENTS, lambda: dashboard_cache.figures_get(key=KEY, computation=computation, compute=renderer)
    )
    assert renderer.started.wait(timeout=10)
    deadline = time.monotonic() + 10
    while sum(r is not None for r in results) < CLIENTS - 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Everyone but the renderer has been answered, with the old copy, while the renderer still works.
    assert sorted(r["page"] for r in results if r is not None) == ["old"] * (CLIENTS - 1)
    renderer.release.set()
    join(threads)

    assert renderer.calls == 1
    assert sorted(r["page"] for r in results) == ["new"] + ["old"] * (CLIENTS - 1)
    after = Renderer({"page": "newer"})
    assert dashboard_cache.figures_get(key=KEY, computation=computation, compute=after) == {"page": "new"}
    assert after.calls == 0  # fresh again: served from the cache
    assert cache.get(f"{KEY}:lock") is None


def test_concurrent_requests_without_any_copy_wait_for_the_one_rendering():
    renderer = Renderer({"page": "new"}, hold=True)
    threads, results = concurrently(
        CLIENTS, lambda: dashboard_cache.figures_get(key=KEY, computation="c1", compute=renderer)
    )
    assert renderer.started.wait(timeout=10)
    time.sleep(0.2)
    assert results == [None] * CLIENTS  # nothing to serve yet: they wait rather than render
    renderer.release.set()
    join(threads)
    assert renderer.calls == 1
    assert results == [{"page": "new"}] * CLIENTS


def test_a_renderer_that_fails_leaves_the_figures_to_the_next_request():
    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        dashboard_cache.figures_get(key=KEY, computation="c1", compute=broken)
    assert cache.get(f"{KEY}:lock") is None
    renderer = Renderer({"page": "new"})
    assert dashboard_cache.figures_get(key=KEY, computation="c1", compute=renderer) == {"page": "new"}
    assert renderer.calls == 1


def snapshot_queries(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if "monitoring_coveragesnapshot" in q["sql"]]


@pytest.mark.django_db
def test_after_the_coverage_task_every_scopes_dashboards_are_already_rendered(
    client, world, disnaker_provinsi, disnaker_kota_bengkulu, sekda
):
    run, _created = services.coverage_run_start(first_month=MAY, trigger="COMMAND", enqueue=False)
    assert tasks.coverage_run_execute(run.pk) == "DONE"

    province_pages = ["/dasbor/", PROVINCE, f"/dasbor/wilayah/{KOTA}/", "/dasbor/wilayah/17.04/"]
    for user, paths in (
        (disnaker_provinsi, province_pages),
        (disnaker_kota_bengkulu, ["/dasbor/", f"/dasbor/wilayah/{KOTA}/"]),
    ):
        client.force_login(user)
        for path in paths:
            assert snapshot_queries(client, path) == [], f"{user.username} {path} was not rendered by the job"
    # The pimpinan's home page is the province dashboard of the same scope: rendered too.
    client.force_login(sekda)
    assert snapshot_queries(client, "/") == []
    assert shown(client.get("/").text, "active") == "7"

    # Each scope got its own copy: the Kota Bengkulu operator's pages show nothing of the rest of the province.
    client.force_login(disnaker_kota_bengkulu)
    for path in ("/dasbor/", f"/dasbor/wilayah/{KOTA}/"):
        html = client.get(path).text
        assert shown(html, "dashboard-title") == "Kota Bengkulu"
        assert [c for c in other_kab_kota_canaries() if c in html] == []


@pytest.mark.django_db
def test_pages_a_reader_rendered_first_are_not_rendered_again_by_the_warmer(client, world, disnaker_provinsi):
    run, _created = services.coverage_run_start(first_month=MAY, trigger="COMMAND", enqueue=False)
    services.coverage_run_execute(run_id=run.pk)
    client.force_login(disnaker_provinsi)
    client.get(PROVINCE)
    # The province operator is the only user: their own dashboard, the province and its 10 kab/kota, less one.
    kab_kota = Region.objects.filter(parent_id="17").count()
    assert kab_kota == 10
    assert dashboard_cache.dashboard_figures_warm() == 1 + 1 + kab_kota - 1
    assert dashboard_cache.dashboard_figures_warm() == 0  # everything is rendered from this computation now


@pytest.mark.django_db
def test_the_warmer_works_out_each_scope_once_however_many_users_share_it(world, disnaker_provinsi, bpjs_cabang):
    with CaptureQueriesContext(connection) as few:
        dashboard_cache._scopes_in_use()
    for i in range(20):
        make_user(f"operator-{i}", User.Role.DISNAKER, region="17")
        make_user(f"officer-{i}", User.Role.BPJS, branch=bpjs_cabang.branch)
    with CaptureQueriesContext(connection) as many:
        scopes = dashboard_cache._scopes_in_use()
    assert len(many) == len(few)
    assert set(scopes) == {"17", scope_key(bpjs_cabang)}
