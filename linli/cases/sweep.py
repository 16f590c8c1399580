"""The one sweep over due work (as Healthchecks' sendalerts): claims cases through the indexed
`sweep_due_at`, marks what is overdue, escalates for supervision, marks late whistle reports, closes
resolved cases nobody rated in time, and routes any submitted case whose routing never ran.

Idempotent: each mark is a flag set under the row lock, and `sweep_due_at` moves to the next deadline (or
None), so a second pass over the same moment finds nothing; two sweeps at once skip each other's rows on
PostgreSQL (SKIP LOCKED) and serialise on SQLite.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import events, notify
from .actions.handling import close_unrated
from .actions.routing import level_above, route_case, schedule_sweep
from .choices import CaseState
from .models import Case, WhistleCall

logger = logging.getLogger("linli.cases.sweep")
BATCH = 500


def _claim(qs: Any) -> Any:
    # of=self: the claimed rows only, and PostgreSQL refuses FOR UPDATE on an outer join's nullable side.
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, of=("self",))
    return qs.select_for_update(of=("self",))


def _mark_due(case_id: int, now: datetime.datetime) -> list[str]:
    marked: list[str] = []
    with transaction.atomic():
        case = _claim(Case.objects.select_related("lead_unit", "place").filter(pk=case_id)).first()
        if case is None or case.sweep_due_at is None or case.sweep_due_at > now:
            return marked  # taken by another sweep, or moved meanwhile
        if case.state not in (CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED):
            case.sweep_due_at = None
            case.save(update_fields=["sweep_due_at"])
            return marked
        if case.contacted_at is None and case.contact_due and case.contact_due <= now and not case.contact_overdue:
            case.contact_overdue = True
            events.overdue(case, which="contact", due=case.contact_due)
            marked.append("contact")
        if case.handle_due and case.handle_due <= now and not case.handle_overdue:
            case.handle_overdue = True
            events.overdue(case, which="handle", due=case.handle_due)
            marked.append("handle")
            above = level_above(case)
            if above is not None:
                # 督办: the level above is told and the escalation is on the record; the unit keeps the case.
                case.escalated_at = now
                events.escalated(case, None, case.state, to_unit=above, from_unit=case.lead_unit, why="overdue")
                notify.tell_unit(above, case, "超期督办", case.title)
            notify.tell_unit(case.lead_unit, case, "工单已超期", case.title)
        schedule_sweep(case)
        case.save()
    return marked


def _late_whistles(now: datetime.datetime) -> int:
    count = 0
    due = WhistleCall.objects.filter(reported_at__isnull=True, late=False, arrive_by__lte=now)
    for call_id in list(due.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            call = _claim(WhistleCall.objects.select_related("unit").filter(pk=call_id)).first()
            if call is None or call.late or call.reported_at is not None:
                continue
            case = Case.objects.select_for_update().get(pk=call.case_id)
            call.late = True
            call.save(update_fields=["late"])
            events.whistle_late(case, call)
            case.save(update_fields=["event_count", "last_hash"])
            count += 1
    return count


def run(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"contact": 0, "handle": 0, "routed": 0, "late_whistles": 0, "closed_unrated": 0}
    due = Case.objects.filter(sweep_due_at__lte=now).order_by("sweep_due_at").values_list("pk", "state")
    for case_id, state in list(due[:BATCH]):
        if state == CaseState.SUBMITTED:
            try:
                routed = route_case(case_id)
            except Exception:
                logger.exception("case %s: routing failed; it stays in the dispatch queue", case_id)
                Case.objects.filter(pk=case_id, state=CaseState.SUBMITTED).update(sweep_due_at=None)
                continue
            counts["routed"] += routed.state != CaseState.SUBMITTED
            continue
        for which in _mark_due(case_id, now):
            counts[which] += 1
    counts["late_whistles"] = _late_whistles(now)
    window = now - datetime.timedelta(days=settings.CASE_RATING_WINDOW_DAYS)
    stale = Case.objects.filter(state__in=[CaseState.RESOLVED, CaseState.VERIFIED], resolved_at__lte=window)
    for case_id in list(stale.values_list("pk", flat=True)[:BATCH]):
        close_unrated(Case(pk=case_id))
        counts["closed_unrated"] += 1
    return counts
