"""The one way into the dispatch engine: every caller (the API, the try page, the simulation, and the case workflow
to come) decides through `decide_and_record`, so who may ask and what gets stored are settled in one place."""

from __future__ import annotations

from typing import Any, Literal, overload

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_dispatch

from .actions import record_decision
from .engine import Decision, decide
from .models import DispatchDecision


@overload
def decide_and_record(
    actor: Any,
    title: str = "",
    body: str = "",
    *,
    place: Any = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    channel: str = "web",
    case_ref: str = "",
    record: Literal[True] = True,
    audit_it: bool = True,
) -> tuple[Decision, DispatchDecision]: ...


@overload
def decide_and_record(
    actor: Any,
    title: str = "",
    body: str = "",
    *,
    place: Any = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    channel: str = "web",
    case_ref: str = "",
    record: Literal[False],
    audit_it: bool = True,
) -> tuple[Decision, None]: ...


def decide_and_record(
    actor: Any,
    title: str = "",
    body: str = "",
    *,
    place: Any = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    channel: str = "web",
    case_ref: str = "",
    record: bool = True,
    audit_it: bool = True,
) -> tuple[Decision, DispatchDecision | None]:
    """The one way into the engine for every caller (the API, the try page, the simulation): decide, and with
    `record` store the decision with its inputs and audit it. `actor` None is the system itself (commands,
    tasks); a person must be allowed to use the engine. Without `record` nothing is written (trying it out)."""
    if actor is not None and not can_dispatch(actor):
        raise PermissionDenied(_("You may not use smart dispatch"))
    decision = decide(
        title, body, place=place, longitude=longitude, latitude=latitude, address=address, channel=channel
    )
    if not record:
        return decision, None
    stored = record_decision(
        actor,
        decision,
        title=title,
        body=body,
        address=address,
        longitude=longitude,
        latitude=latitude,
        case_ref=case_ref,
        audit_it=audit_it,
    )
    return decision, stored
