"""Background work of the dispatch app, through Django's tasks interface."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


@task()
def retrain_dispatch_model(reschedule: bool = False) -> dict[str, object]:
    """Retrain, judge on the held-out slice, promote if not worse; with `reschedule`, queue the next run
    DISPATCH_RETRAIN_HOURS from now, which makes it a schedule on any backend that supports deferral."""
    from .actions import train_candidate

    try:
        row = train_candidate(None)
        outcome: dict[str, object] = {"version": row.version, "status": row.status, "metrics": row.metrics}
    finally:
        if reschedule:
            schedule_next()
    logger.info("dispatch retrain: %s", outcome)
    return outcome


def schedule_next() -> None:
    run_after = timezone.now() + timedelta(hours=settings.DISPATCH_RETRAIN_HOURS)
    retrain_dispatch_model.using(run_after=run_after).enqueue(reschedule=True)
