"""Two writers at once: a test's second connection, in a thread of its own."""

import threading
import time

from django.db import IntegrityError, connection, transaction


def in_a_thread(write, *, done=None, release=None):
    """Run ``write()`` in a transaction of its own connection, holding it open until ``release`` when given;
    returns the thread and its outcome ("committed" or the IntegrityError)."""
    outcome = {}

    def run():
        try:
            with transaction.atomic():
                write()
                if done is not None:
                    done.set()
                if release is not None:
                    release.wait(30)
            outcome["result"] = "committed"
        except IntegrityError as error:
            outcome["result"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def waiting_on_a_lock(kind: str | None = None) -> bool:
    """Whether another connection to this database waits on a lock (of that kind: pg_stat_activity.wait_event)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND (%s IS NULL OR wait_event = %s)",
            [kind, kind],
        )
        return cursor.fetchone()[0] > 0


def wait_until_it_waits_on_a_lock(thread, kind: str | None = None) -> None:
    deadline = time.monotonic() + 30
    while not waiting_on_a_lock(kind) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert thread.is_alive() and waiting_on_a_lock(kind)


def release_once_it_waits(waiting, holding, release, kind: str | None = None) -> None:
    """Let ``holding`` (a thread held open until ``release``) commit once ``waiting`` waits on its lock (of that
    kind), then wait for both threads."""
    wait_until_it_waits_on_a_lock(waiting, kind)
    release.set()
    holding.join(30)
    waiting.join(30)
