"""What a resident is told before submitting: which unit will handle the request, and by when.

Reads only. It asks the engine's `decide` directly, never `decide_and_record`, which stores a decision and is
for dispatchers; the intake action itself routes the request after it is committed. The promise follows the
same rules as the real routing (linli.cases.actions.routing.route_case): automatic only when the engine is
sure and the assignee directory lets the system send work to that unit at that place. Otherwise a dispatcher
routes it, and the resident is told by when (CASE_DISPATCH_DEADLINE, counted in working time like every
deadline); the handling deadlines then run from that moment.
"""

from __future__ import annotations

import datetime
from typing import Any, TypedDict

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.dispatch.choices import DecisionMode
from linli.dispatch.engine import decide
from linli.orgs.deadlines import DeadlineSpec, parse_spec
from linli.orgs.directory import may_route
from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.worktime.clock import deadline

from .choices import Urgency
from .deadlines import deadlines_for, due_moments

# How long a request the engine is not sure about waits for a dispatcher, at most, as promised to residents.
DEFAULT_DISPATCH_DEADLINE = "2h"


class Preview(TypedDict):
    sure: bool  # True: dispatched automatically to `unit` on submission
    place: Any  # the place the request will be filed under, or None when none could be read
    unit: Any  # the unit that will handle it (None when a dispatcher decides)
    matter: Any  # the matter of the responsibility list, when the engine found one
    contact_due: datetime.datetime | None
    handle_due: datetime.datetime | None
    contact_within: str  # "1个工作日": the rule, for the page to say next to the moment
    handle_within: str
    route_by: datetime.datetime | None  # when not sure: a dispatcher routes it by then
    route_within: str
    reasons: list[str]


def dispatch_spec() -> DeadlineSpec:
    return parse_spec(getattr(settings, "CASE_DISPATCH_DEADLINE", DEFAULT_DISPATCH_DEADLINE))


def preview(
    title: str,
    body: str,
    *,
    place: Any = None,
    longitude: float | None = None,
    latitude: float | None = None,
    address: str = "",
    urgency: str = Urgency.NORMAL,
    channel: str = "web",
    now: datetime.datetime | None = None,
) -> Preview:
    decision = decide(
        title, body, place=place, longitude=longitude, latitude=latitude, address=address, channel=channel
    )
    now = now or timezone.now()
    found = decision.place
    usable = found is not None and LEVEL_RANK[found.level] >= LEVEL_RANK[PlaceLevel.STREET]
    unit = decision.unit
    sure = bool(decision.mode == DecisionMode.AUTO and usable and unit is not None and may_route(unit, found))
    reasons = _reasons(decision, sure)
    route_spec = dispatch_spec()
    route_by = None if sure else deadline(now, route_spec)
    if not sure:
        unit = None
        if decision.mode == DecisionMode.AUTO:  # sure of the unit, but the system may not send work there
            reasons.append(_("the suggested unit is not one the system may send work to here"))
    start = now if sure else route_by
    assert start is not None
    contact_due, handle_due = due_moments(start, decision.matter, urgency, unit)
    specs = deadlines_for(decision.matter, urgency, unit)
    return Preview(
        sure=sure,
        place=found if usable else None,
        unit=unit,
        matter=decision.matter,
        contact_due=contact_due,
        handle_due=handle_due,
        contact_within=specs.contact.label,
        handle_within=specs.handle.label,
        route_by=route_by,
        route_within=route_spec.label,
        reasons=reasons,
    )


def _reasons(decision: Any, sure: bool) -> list[str]:
    """The engine's reasons in words a resident can read: where, which matter, and why a person decides."""
    reasons = [str(decision.reasons.get("place", ""))]
    matter = decision.matter
    hit = next((r for r in decision.reasons.get("rules") or [] if matter and r.get("code") == matter.code), None)
    if matter is not None:
        words = "、".join(hit.get("keywords", [])) if hit else ""
        reasons.append(
            _("matter %(name)s, from the words %(words)s") % {"name": matter.name, "words": words}
            if words
            else _("matter %(name)s") % {"name": matter.name}
        )
    top = decision.suggestions[0] if decision.suggestions else None
    if sure and top is not None and top.fallback:
        reasons.append(_("no department owns this matter here: the street office takes it"))
    reasons.extend(str(r) for r in decision.reasons.get("manual", []))
    return [r for r in reasons if r]
