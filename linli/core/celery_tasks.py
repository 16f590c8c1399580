"""Django's tasks on Celery (TASKS_BACKEND=celery): `CeleryBackend` sends each enqueued task to the broker as
one generic Celery task, which the worker resolves by module path and runs like the database worker does.

Delivery: messages are acknowledged after the task ran (acks_late), so a worker killed mid-task leaves it to
another worker; every Linli task is idempotent for that reason (the sweep claims rows under their locks,
routing checks the case is still submitted, the anchor digests from the last anchor).

Unlike the database backend, the message is published at once, not with the caller's transaction: callers
that need the rows committed first enqueue on commit (intake's routing does). Results stay in Celery's
result backend; nothing in Linli reads them back, so get_result is not offered.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskContext, TaskResult, TaskResultStatus
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
CELERY_TASK_NAME = "linli.run_django_task"


class CeleryBackend(BaseTaskBackend):
    supports_defer = True  # run_after becomes Celery's eta
    supports_async_task = False
    supports_get_result = False
    supports_priority = False

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        args, kwargs = normalize_json(list(args)), normalize_json(dict(kwargs))
        sent = run_django_task.apply_async(
            args=[task.module_path, args, kwargs, task.takes_context],
            queue=task.queue_name,
            eta=task.run_after,
        )
        result: TaskResult = TaskResult(
            task=task,
            id=sent.id,
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result


@shared_task(name=CELERY_TASK_NAME, bind=True)
def run_django_task(self: Any, module_path: str, args: list[Any], kwargs: dict[str, Any], takes_context: bool) -> Any:
    """Run the django.tasks Task at `module_path`, as the database worker would; a failure is raised, so
    Celery records it (and the worker logs its traceback)."""
    task: Task = import_string(module_path)
    if takes_context:
        now = timezone.now()
        result: TaskResult = TaskResult(
            task=task,
            id=self.request.id,
            status=TaskResultStatus.RUNNING,
            enqueued_at=None,
            started_at=now,
            last_attempted_at=now,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend="default",
            errors=[],
            worker_ids=[self.request.hostname or ""],
        )
        return normalize_json(task.call(TaskContext(task_result=result), *args, **kwargs))
    return normalize_json(task.call(*args, **kwargs))


@task_prerun.connect
@task_postrun.connect
def _fresh_connections(**_kwargs: Any) -> None:
    # As Django does around each request: a worker that lives for days must not keep a dead connection.
    close_old_connections()
