"""A small periodic scheduler on top of Django's tasks interface.

Apps declare periodic jobs in code (`register` in their AppConfig.ready, as they register scope rules);
`manage.py run_scheduler` wakes every few seconds and, for each job that is due, enqueues its task on the
configured task backend. The worker (`manage.py db_worker`) runs it as any other task.

Why a scheduler and not tasks that enqueue their own next run: a self-rescheduling task is queued twice
when it is started twice (two deployments, a manual run with `--schedule`) and stops for good when the
worker dies between running it and queuing the next one. Here the schedule lives in one `ScheduledJob`
row per job, and a period is claimed by a conditional UPDATE (`… WHERE next_run_at <= now`): only one
of any number of scheduler processes matches the row, the others find it already moved on. The claim and
the enqueue share one transaction, so with the database task backend a run is queued if and only if its
period was claimed. After downtime the next run is set from *now*, not from the missed time, so a job
that missed many periods runs once, not once per period.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

WAKE_SECONDS = 5.0


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django.tasks Task
    every: Callable[[], timedelta]  # read at each pass, so a changed setting takes effect without a restart
    run_at_start: bool  # whether a job new to the database is due at once or one period after it is first seen


_JOBS: dict[str, PeriodicJob] = {}


def register(name: str, task: Any, every: Callable[[], timedelta], *, run_at_start: bool = False) -> None:
    """Declare a periodic job. Registering the same name again replaces it (AppConfig.ready may run twice
    in tests); two different tasks under one name are a programming error."""
    known = _JOBS.get(name)
    if known is not None and known.task.module_path != task.module_path:
        raise ValueError(f"periodic job {name!r} is already registered for {known.task.module_path}")
    _JOBS[name] = PeriodicJob(name, task, every, run_at_start)


def jobs() -> dict[str, PeriodicJob]:
    return dict(_JOBS)


def _ensure_row(job: PeriodicJob, now: datetime, interval: timedelta) -> None:
    from .models import ScheduledJob

    first = now if job.run_at_start else now + interval
    ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": first})
    # A shortened interval takes effect now rather than after the old, longer period ran out.
    ScheduledJob.objects.filter(name=job.name, next_run_at__gt=now + interval).update(next_run_at=now + interval)


def claim_and_enqueue(job: PeriodicJob, now: datetime | None = None) -> bool:
    """Enqueue `job` if its period is due and this process wins the claim; True if it did."""
    from .models import ScheduledJob

    now = now or timezone.now()
    interval = job.every()
    _ensure_row(job, now, interval)
    with transaction.atomic():
        won = ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + interval, last_enqueued_at=now
        )
        if not won:
            return False
        # Inside the claim's transaction: if the enqueue fails, the claim is undone and the next pass retries.
        result = job.task.enqueue()
    logger.info("scheduler: queued %s (%s), next in %s", job.name, result.id, interval)
    return True


def run_pass(now: datetime | None = None) -> list[str]:
    """One look at every registered job; returns the names of those enqueued. A job that fails to enqueue
    is logged and left due, and does not keep the others from running."""
    queued = []
    for job in jobs().values():
        try:
            if claim_and_enqueue(job, now):
                queued.append(job.name)
        except Exception:
            logger.exception("scheduler: could not queue %s; it stays due", job.name)
    return queued


def run_forever(stop: threading.Event, wake_seconds: float = WAKE_SECONDS) -> None:
    """Pass after pass until `stop` is set. Connections are refreshed each pass so that a database restart
    costs a few failed passes, not the scheduler."""
    while not stop.is_set():
        close_old_connections()
        try:
            run_pass()
        except Exception:
            logger.exception("scheduler: pass failed; trying again in %s s", wake_seconds)
        stop.wait(wake_seconds)
