"""Background work of the closed loop, through Django's tasks interface (the database worker by default,
Celery on Redis when configured). Periodic runs come from the scheduler (linli.core.schedule), never from a
task queuing itself."""

from __future__ import annotations

import logging

from django.tasks import task

logger = logging.getLogger("linli.cases")


@task()
def route_case(case_id: int) -> str:
    from .actions.routing import route_case as route

    case = route(case_id)
    _link_reporter(case)
    return str(case.state)


def _link_reporter(case: object) -> None:
    """The registry's person behind the reporter's phone, for the case page (linli.people.linking); after
    routing has committed, and never at routing's expense."""
    from linli.people.linking import link_reporter

    try:
        link_reporter(case)
    except Exception:
        logger.exception("case %s: the reporter could not be linked to the registry", getattr(case, "pk", None))


@task()
def sweep_cases() -> dict[str, int]:
    from .sweep import run

    counts = run()
    if any(counts.values()):
        logger.info("case sweep: %s", counts)
    return counts


@task()
def anchor_timelines() -> dict[str, object]:
    """Record a digest of the case chains that grew since the last anchor on the global audit chain."""
    from linli.core import audit
    from linli.core.choices import AuditAction
    from linli.core.models import AuditEvent

    from .timeline import chains_digest

    last = AuditEvent.objects.filter(action=AuditAction.CASE_CHAINS_ANCHORED).order_by("-id").first()
    since = int((last.data or {}).get("through_event", 0)) if last else 0
    data = chains_digest(since)
    if data["cases"]:
        audit.record(AuditAction.CASE_CHAINS_ANCHORED, data=data, target_type="cases.case")
    return data
