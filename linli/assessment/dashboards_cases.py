"""The dashboards' lists of late cases: open cases past their handling deadline, and cases due within a day,
of the area and through the viewer's scope (`Case.objects.restrict`), bounded to LIST_LIMIT each."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.cases.choices import CLOCK_STATES, HANDLING_STATES
from linli.cases.models import Case
from linli.places.models import Place, subtree_q

LIST_LIMIT = 20
AT_RISK_HOURS = 24


def _cases_in(user: Any, place: Place) -> QuerySet[Case]:
    return (
        Case.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="place__path"))
        .select_related("place", "lead_unit")
        .only("pk", "created_at", "title", "state", "handle_due", "handle_overdue", "place__name", "lead_unit__name")
    )


def overdue_cases(user: Any, place: Place, now: datetime.datetime | None = None) -> tuple[list[Case], int]:
    """Open cases past their handling deadline (the sweep's flag, or the deadline already passed), the
    longest late first, at most LIST_LIMIT, and how many there are."""
    now = now or timezone.now()
    qs = _cases_in(user, place).filter(state__in=CLOCK_STATES).filter(Q(handle_overdue=True) | Q(handle_due__lt=now))
    return list(qs.order_by("handle_due", "pk")[:LIST_LIMIT]), qs.count()


def at_risk_cases(user: Any, place: Place, now: datetime.datetime | None = None) -> tuple[list[Case], int]:
    """Cases a unit holds whose handling deadline falls within the next AT_RISK_HOURS."""
    now = now or timezone.now()
    qs = _cases_in(user, place).filter(
        state__in=HANDLING_STATES,
        handle_due__gte=now,
        handle_due__lte=now + datetime.timedelta(hours=AT_RISK_HOURS),
        handle_overdue=False,
    )
    return list(qs.order_by("handle_due", "pk")[:LIST_LIMIT]), qs.count()
