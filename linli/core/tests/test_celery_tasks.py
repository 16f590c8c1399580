"""Django's tasks on Celery and the real Redis at 127.0.0.1:6379 (db 5): two worker processes take the
sweep from the broker and mark a due case overdue in the database, once however often the sweep is queued.
Skipped, saying why, only when that Redis cannot be reached."""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

import pytest

from linli.tests import liveworld as live

BROKER = os.environ.get("LINLI_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def reachable_redis() -> object:
    import redis

    client = redis.Redis.from_url(BROKER, socket_connect_timeout=2)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError) as error:
        pytest.skip(f"no Redis at {BROKER}: {error}")
    return client


def test_the_sweep_runs_on_celery_workers_through_redis(tmp_path: Path) -> None:
    client = reachable_redis()
    client.flushdb()  # type: ignore[attr-defined]  # messages left by an interrupted run would go to this run's workers
    url = live.database_url(f"linli_live_celery_{os.getpid()}", tmp_path)
    live.create_database(url)
    on_celery = {"TASKS_BACKEND": "celery", "CELERY_BROKER_URL": BROKER}
    try:
        live.run_here(url, "seed")
        env = live.child_env(url, **on_celery)
        worker = [sys.executable, "-m", "celery", "-A", "linli", "worker", "-Q", "default", "-c", "1", "-l", "WARNING"]
        with live.processes(([*worker, "-n", "one@%h"], env), ([*worker, "-n", "two@%h"], env)) as procs:
            made = live.run_here(url, "due-case", "1", extra=on_celery)  # its routing task goes through Redis too
            due = datetime.datetime.fromisoformat(made["due"])
            live.wait_for(lambda: datetime.datetime.now(datetime.UTC) > due, timeout=5, every=0.2)
            sent = [live.run_here(url, "enqueue", "linli.cases.tasks.sweep_cases", extra=on_celery) for _ in range(3)]
            assert {s["backend"] for s in sent} == {"CeleryBackend"}

            def finished() -> bool:
                assert all(p.poll() is None for p in procs), "a Celery worker died"
                metas = [client.get(f"celery-task-meta-{s['id']}") for s in sent]  # type: ignore[attr-defined]
                return all(m and json.loads(m)["status"] in ("SUCCESS", "FAILURE") for m in metas)

            assert live.wait_for(finished, timeout=90), "the workers did not run the queued sweeps"
        metas = [json.loads(client.get(f"celery-task-meta-{s['id']}")) for s in sent]  # type: ignore[attr-defined]
        assert [m["status"] for m in metas] == ["SUCCESS"] * 3, metas
        # One of the three sweeps marked the case; the others found nothing left to do.
        assert sorted(m["result"]["handle"] for m in metas) == [0, 0, 1]
        rows = live.query(url, "SELECT handle_overdue, contact_overdue FROM cases_case WHERE id = %s", [made["case"]])
        assert rows == [(True, True)] or rows == [(1, 1)]
        kinds = live.query(url, "SELECT kind FROM cases_caseevent WHERE case_id = %s ORDER BY seq", [made["case"]])
        assert [k for (k,) in kinds][-3:] == ["overdue", "overdue", "escalated"]
        assert [k for (k,) in kinds].count("overdue") == 2
    finally:
        live.drop_database(url)
        client.flushdb()  # type: ignore[attr-defined]
