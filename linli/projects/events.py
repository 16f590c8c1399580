"""One builder per project event type (as linli/cases/events.py): the payload of each kind is fixed here.
Events are appended, never edited; each records the state before and after."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .choices import EventKind as K
from .models import Claim, Project, ProjectEvent


def _append(project: Project, kind: str, actor: Any, old: str, payload: dict[str, Any]) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        old_state=old,
        new_state=project.state,
        payload=payload,
    )


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def created(project: Project, actor: Any) -> ProjectEvent:
    return _append(project, K.CREATED, actor, "", {"budget": _money(project.budget), "place": project.place_id})


def published(project: Project, actor: Any, old: str) -> ProjectEvent:
    return _append(project, K.PUBLISHED, actor, old, {"deadline": project.deadline.isoformat()})


def assigned(project: Project, actor: Any, old: str) -> ProjectEvent:
    return _append(project, K.ASSIGNED, actor, old, {"organisation": project.organisation})


def claimed(project: Project, actor: Any, claim: Claim) -> ProjectEvent:
    payload = {"claim": claim.pk, "organisation": claim.organisation, "budget": _money(claim.requested_budget)}
    return _append(project, K.CLAIMED, actor, project.state, payload)


def chosen(project: Project, actor: Any, old: str, claim: Claim, declined: int) -> ProjectEvent:
    payload = {"claim": claim.pk, "organisation": claim.organisation, "declined": declined}
    return _append(project, K.CHOSEN, actor, old, payload)


def started(project: Project, actor: Any, old: str) -> ProjectEvent:
    return _append(project, K.STARTED, actor, old, {})


def progress(project: Project, actor: Any, report_id: int, photos: int) -> ProjectEvent:
    return _append(project, K.PROGRESS, actor, project.state, {"report": report_id, "photos": photos})


def done(project: Project, actor: Any, old: str, report_id: int, photos: int) -> ProjectEvent:
    return _append(project, K.DONE, actor, old, {"report": report_id, "photos": photos})


def rated(project: Project, actor: Any, score: int) -> ProjectEvent:
    return _append(project, K.RATED, actor, project.state, {"score": score})


def closed(project: Project, actor: Any, old: str, average: float | None, count: int) -> ProjectEvent:
    return _append(project, K.CLOSED, actor, old, {"average": average, "ratings": count})


def cancelled(project: Project, actor: Any, old: str, reason: str) -> ProjectEvent:
    return _append(project, K.CANCELLED, actor, old, {"reason": reason})
