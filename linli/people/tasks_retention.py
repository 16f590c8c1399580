"""The daily retention purge as a task (registered with the scheduler in PeopleConfig.ready)."""

from __future__ import annotations

import logging

from django.tasks import task

logger = logging.getLogger("linli.people")


@task()
def purge_expired_people() -> dict[str, int]:
    from .retention import purge

    result = purge()
    if result.total:
        logger.info("retention purge: %s", result.by_residency)
    return {**result.by_residency, "total": result.total}
