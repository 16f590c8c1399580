"""Overdue within 60 s of a deadline, with the real processes a deployment runs: `manage.py run_scheduler`
(which queues cases.sweep every CASE_SWEEP_SECONDS) and `manage.py db_worker` (which runs it), on a database
of their own (a SQLite file, or PostgreSQL when the suite runs on it)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.conf import settings

from linli.tests import liveworld as live

WITHIN = datetime.timedelta(seconds=60)


def test_a_case_is_marked_overdue_within_a_minute_of_its_deadline(tmp_path: Path) -> None:
    assert settings.CASE_SWEEP_SECONDS == 20  # the production period is what this test proves
    url = live.database_url(f"linli_live_sweep_{os.getpid()}", tmp_path)
    live.create_database(url)
    try:
        live.run_here(url, "seed")
        env = live.child_env(url)
        with live.processes(
            (live.manage_argv("run_scheduler", "-v0"), env),
            (live.manage_argv("db_worker", "--no-reload", "--no-startup-delay", "-v0"), env),
        ) as procs:
            made = live.run_here(url, "due-case", "5")
            due = datetime.datetime.fromisoformat(made["due"])

            def marked() -> bool:
                assert all(p.poll() is None for p in procs), "the scheduler or the worker died"
                rows = live.query(url, "SELECT handle_overdue FROM cases_case WHERE id = %s", [made["case"]])
                return bool(rows and rows[0][0])

            seconds_left = (due + WITHIN - datetime.datetime.now(datetime.UTC)).total_seconds()
            assert live.wait_for(marked, timeout=seconds_left), "not marked overdue within 60 s of its deadline"
        events = live.query(
            url,
            "SELECT kind, at FROM cases_caseevent WHERE case_id = %s AND kind IN ('overdue', 'escalated') ORDER BY seq",
            [made["case"]],
        )
        assert [kind for kind, _ in events] == ["overdue", "overdue", "escalated"]  # contact, handling, 督办
        for _kind, at in events:
            at = at if isinstance(at, datetime.datetime) else datetime.datetime.fromisoformat(at)
            at = at if at.tzinfo else at.replace(tzinfo=datetime.UTC)
            assert due <= at <= due + WITHIN
        # The sweep ran as a task of the database worker, queued by the scheduler.
        ran = live.query(
            url,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = %s AND status = 'SUCCESSFUL'",
            ["linli.cases.tasks.sweep_cases"],
        )
        assert ran[0][0] >= 1
    finally:
        live.drop_database(url)
