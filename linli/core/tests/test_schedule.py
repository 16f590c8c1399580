"""The periodic scheduler: one enqueue per period whatever the number of passes or processes, one catch-up
run after downtime, and the dispatch retrain on it instead of queuing itself."""

from __future__ import annotations

import ast
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import task_backends
from django.utils import timezone

from linli.core import schedule
from linli.core.models import ScheduledJob
from linli.dispatch.tasks import retrain_dispatch_model

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RETRAIN = "dispatch.retrain"


def queued() -> list[str]:
    """The retrain runs queued (other apps' periodic jobs, such as the case sweep, are left out)."""
    results = task_backends["default"].results  # type: ignore[attr-defined]
    return [r.task.module_path for r in results if r.task.module_path == retrain_dispatch_model.module_path]


@pytest.fixture
def dummy(settings):
    settings.TASKS = DUMMY
    settings.DISPATCH_RETRAIN_HOURS = 24
    return schedule.jobs()[RETRAIN]


@pytest.mark.django_db
def test_a_due_job_is_queued_once_and_moves_one_period_on(dummy):
    now = timezone.now()
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=now - timedelta(minutes=1))
    assert schedule.claim_and_enqueue(dummy, now) is True
    assert queued() == [retrain_dispatch_model.module_path]
    row = ScheduledJob.objects.get(name=RETRAIN)
    assert row.next_run_at == now + timedelta(hours=24) and row.last_enqueued_at == now


@pytest.mark.django_db
def test_passes_within_one_period_queue_it_once(dummy):
    now = timezone.now()
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=now)
    assert RETRAIN in schedule.run_pass(now)
    assert RETRAIN not in schedule.run_pass(now)
    assert RETRAIN not in schedule.run_pass(now + timedelta(hours=23, minutes=59))
    assert len(queued()) == 1
    assert RETRAIN in schedule.run_pass(now + timedelta(hours=24))
    assert len(queued()) == 2


@pytest.mark.django_db
def test_a_new_job_first_runs_one_period_after_it_is_first_seen(dummy):
    now = timezone.now()
    assert schedule.run_pass(now) == [] and queued() == []
    assert ScheduledJob.objects.get(name=RETRAIN).next_run_at == now + timedelta(hours=24)
    assert RETRAIN in schedule.run_pass(now + timedelta(hours=24))


@pytest.mark.django_db
def test_after_long_downtime_a_job_runs_once_not_once_per_missed_period(dummy):
    now = timezone.now()
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=now - timedelta(days=30))  # 30 periods missed
    for minute in range(10):
        schedule.run_pass(now + timedelta(minutes=minute))
    assert len(queued()) == 1
    assert ScheduledJob.objects.get(name=RETRAIN).next_run_at == now + timedelta(hours=24)


@pytest.mark.django_db
def test_a_shortened_interval_applies_at_once(dummy, settings):
    now = timezone.now()
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=now + timedelta(hours=20))
    settings.DISPATCH_RETRAIN_HOURS = 2
    schedule.run_pass(now)
    assert ScheduledJob.objects.get(name=RETRAIN).next_run_at == now + timedelta(hours=2)


class _Broken:
    """A task whose backend refuses the enqueue (a queue that is down)."""

    module_path = "tests.broken"

    def enqueue(self) -> None:
        raise ConnectionError("queue down")


@pytest.mark.django_db
def test_a_failed_enqueue_undoes_the_claim_so_the_next_pass_retries():
    now = timezone.now()
    job = schedule.PeriodicJob("tests.broken", _Broken(), lambda: timedelta(hours=1), run_at_start=True)
    with pytest.raises(ConnectionError):
        schedule.claim_and_enqueue(job, now)
    row = ScheduledJob.objects.get(name="tests.broken")
    assert row.next_run_at == now and row.last_enqueued_at is None


@pytest.mark.django_db
def test_the_command_runs_one_pass(dummy):
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=timezone.now() - timedelta(seconds=1))
    out = io.StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert RETRAIN in out.getvalue() and len(queued()) == 1
    call_command("run_scheduler", "--once", stdout=out)
    assert "nothing due" in out.getvalue() and len(queued()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_for_one_period_queue_it_once(settings):
    """Two threads, each with its own database connection, claim the same due period at the same moment on
    the database task backend; the queue must hold exactly one run."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers by locking the whole file; the race is real on PostgreSQL")
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    settings.DISPATCH_RETRAIN_HOURS = 24
    job = schedule.jobs()[RETRAIN]
    now = timezone.now()
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=now - timedelta(minutes=5))
    start = threading.Barrier(4)
    wins: list[bool] = []

    def claimer() -> None:
        try:
            start.wait()
            wins.append(schedule.claim_and_enqueue(job, now))
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(wins) == [False, False, False, True]
    assert DBTaskResult.objects.filter(task_path=retrain_dispatch_model.module_path).count() == 1


@pytest.mark.django_db
def test_on_the_database_backend_the_claim_and_the_queued_run_commit_together(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    job = schedule.jobs()[RETRAIN]
    now = timezone.now()
    ScheduledJob.objects.create(name=RETRAIN, next_run_at=now)
    assert [schedule.claim_and_enqueue(job, now) for _ in range(3)] == [True, False, False]
    assert DBTaskResult.objects.filter(task_path=retrain_dispatch_model.module_path).count() == 1


def test_the_retrain_is_a_periodic_job_every_dispatch_retrain_hours(settings):
    settings.DISPATCH_RETRAIN_HOURS = 6
    job = schedule.jobs()[RETRAIN]
    assert job.task.module_path == retrain_dispatch_model.module_path
    assert job.every() == timedelta(hours=6)


def test_no_task_queues_itself():
    """Every @task function in linli/*/tasks.py: its body calls no `.enqueue` and no `.using` (how a task
    deferred its own next run); recurring work belongs to the scheduler."""
    root = Path(__file__).resolve().parents[2]
    checked = 0
    for path in root.glob("*/tasks.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if not any("task" in ast.unparse(d) for d in node.decorator_list):
                continue
            checked += 1
            calls = {
                c.func.attr for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
            }
            assert not calls & {"enqueue", "aenqueue", "using"}, f"{path.name}: {node.name} queues work itself"
    assert checked >= 1
    assert "reschedule" not in retrain_dispatch_model.func.__code__.co_varnames
