"""Background work of the dispatch app, through Django's tasks interface."""

from __future__ import annotations

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def retrain_dispatch_model() -> dict[str, object]:
    """Retrain, judge on the held-out slice, promote if not worse. It runs every DISPATCH_RETRAIN_HOURS through
    the periodic scheduler (`linli.core.schedule`, registered in DispatchConfig.ready), never by queuing itself."""
    from .actions import train_candidate

    row = train_candidate(None)
    outcome: dict[str, object] = {"version": row.version, "status": row.status, "metrics": row.metrics}
    logger.info("dispatch retrain: %s", outcome)
    return outcome
