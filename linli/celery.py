"""The Celery application, for TASKS_BACKEND=celery: Django's tasks go to Redis and any number of workers
(`celery -A linli worker -Q default`) on any machine run them. Configured from the CELERY_* settings, which
read the environment (CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/5).

Nothing registers per-task Celery tasks: one generic task (linli.core.celery_tasks.run_django_task) runs any
django.tasks Task by its module path, so a task is written once, for django.tasks, whatever the backend.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

app = Celery("linli", include=["linli.core.celery_tasks"])
app.config_from_object("django.conf:settings", namespace="CELERY")
