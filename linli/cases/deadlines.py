"""Which deadlines a case gets (DESIGN §4), all of them settings: DeadlineRule rows first (most specific
wins), then the matter's own columns on the responsibility list, then the defaults below from settings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from linli.orgs.deadlines import DeadlineSpec, parse_spec
from linli.worktime.clock import WorkCalendar, deadline

from .choices import Urgency
from .models import DeadlineRule


@dataclass(frozen=True)
class Deadlines:
    contact: DeadlineSpec
    handle: DeadlineSpec
    rehandle: DeadlineSpec


def _matching_rules(matter: Any, urgency: str, unit_kind: str) -> list[DeadlineRule]:
    for_matter = Q(matter__isnull=True) | (Q(matter=matter) if matter is not None else Q(pk__in=[]))
    rules = DeadlineRule.objects.filter(for_matter, urgency__in=[urgency, ""], unit_kind__in=[unit_kind, ""])
    return sorted(rules, key=lambda r: (-r.specificity, r.pk))


def _defaults(matter: Any, urgency: str) -> dict[str, str]:
    urgent = urgency == Urgency.URGENT
    contact = settings.CASE_DEADLINES["contact_urgent" if urgent else "contact"]
    handle = settings.CASE_DEADLINES["handle_urgent" if urgent else "handle"]
    if matter is not None:
        contact = matter.contact_urgent if urgent else matter.contact_normal
        handle = matter.handle_urgent if urgent else matter.handle_normal
        if matter.is_utility and not urgent:
            contact = settings.CASE_DEADLINES["contact_utility"]
        if matter.is_complex and not urgent:
            handle = settings.CASE_DEADLINES["handle_complex"]
    return {"contact": contact, "handle": handle, "rehandle": settings.CASE_DEADLINES["rehandle"]}


def deadlines_for(matter: Any, urgency: str, unit: Any) -> Deadlines:
    chosen = _defaults(matter, urgency)
    taken: set[str] = set()
    for rule in _matching_rules(matter, urgency, getattr(unit, "kind", "") or ""):
        for field in ("contact", "handle", "rehandle"):
            value = getattr(rule, field)
            if value and field not in taken:
                chosen[field] = value
                taken.add(field)
    return Deadlines(*(parse_spec(chosen[f]) for f in ("contact", "handle", "rehandle")))


def due_moments(
    start: datetime.datetime, matter: Any, urgency: str, unit: Any, calendar: WorkCalendar | None = None
) -> tuple[datetime.datetime, datetime.datetime]:
    """Contact and handling deadlines for a case dispatched at `start` (clocks start at dispatch)."""
    specs = deadlines_for(matter, urgency, unit)
    calendar = calendar or WorkCalendar()
    return deadline(start, specs.contact, calendar), deadline(start, specs.handle, calendar)


def rehandle_due(start: datetime.datetime, matter: Any, urgency: str, unit: Any) -> datetime.datetime:
    return deadline(start, deadlines_for(matter, urgency, unit).rehandle)


def whistle_due(start: datetime.datetime) -> datetime.datetime:
    """Departments answer a whistle on site within 30 minutes (a setting): counted in clock minutes, since
    a whistle is blown for what cannot wait for the next working morning."""
    spec = parse_spec(settings.CASE_DEADLINES["whistle"])
    minutes = spec.amount * {"m": 1, "h": 60, "wd": 24 * 60}[spec.unit]
    return start + datetime.timedelta(minutes=minutes)


def extended(due: datetime.datetime, working_days: int) -> datetime.datetime:
    return deadline(due, DeadlineSpec(working_days, "wd")) if working_days else due
