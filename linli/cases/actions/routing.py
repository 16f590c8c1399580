"""Routing: automatic and manual dispatch, co-units, re-dispatch, escalation, merge and invalid.

Where a person may send work is the assignee directory's answer (linli.orgs.directory.may_assign); where the
system may send it, `may_route`. A person's dispatch choice becomes training data for the engine, at the
level of the matter, through dispatch's own correction action.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_dispatch_case, can_handle_case
from linli.orgs.choices import UnitKind
from linli.orgs.directory import may_assign, may_route
from linli.orgs.models import Matter, Unit
from linli.places.choices import PlaceLevel

from .. import events, notify
from ..choices import AssignmentRole, CaseState, InvalidReason
from ..deadlines import due_moments
from ..models import Case, CaseAssignment
from .base import guard, lock, require_text, step


def assign(case: Case, unit: Unit, co_units: list[Unit], now: datetime.datetime, *, restart_clock: bool = True) -> None:
    """End the current assignments and give the case to `unit` (lead) and `co_units`; start the clocks."""
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)
    CaseAssignment.objects.create(case=case, unit=unit, role=AssignmentRole.LEAD, assigned_at=now)
    for co in co_units:
        if co.pk != unit.pk:
            CaseAssignment.objects.create(case=case, unit=co, role=AssignmentRole.CO, assigned_at=now)
    case.lead_unit = unit
    if case.accountable_unit_id is None:
        case.accountable_unit = unit
    if case.dispatched_at is None:
        case.dispatched_at = now
    if restart_clock:
        case.contact_due, case.handle_due = due_moments(now, case.matter, case.urgency, unit)
        case.contact_overdue = case.handle_overdue = False
    schedule_sweep(case)


def schedule_sweep(case: Case) -> None:
    """The next moment the sweep must look at this case: its earliest deadline not yet marked."""
    moments = []
    if case.state in (CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED):
        if case.contacted_at is None and case.contact_due and not case.contact_overdue:
            moments.append(case.contact_due)
        if case.handle_due and not case.handle_overdue:
            moments.append(case.handle_due)
    case.sweep_due_at = min(moments) if moments else None


def _check_units(actor: Any, case: Case, unit: Unit, co_units: list[Unit], matter: Matter | None) -> None:
    for candidate in [unit, *co_units]:
        # The work's matter (the new one when the dispatcher changes it) opens matched service providers.
        if not may_assign(actor, candidate, place=case.place, service_of=matter or case.matter):
            raise ValidationError({"unit": _("You may not send work to %(unit)s") % {"unit": candidate.name}})
    if len(co_units) > 5:
        raise ValidationError({"co_units": _("At most 5 co-handling units")})
    del matter


def _learn(actor: Any, case: Case, unit: Unit, matter: Matter | None) -> None:
    """The person's choice corrects (or confirms) the engine's decision: training data at matter level."""
    if case.decision is None:
        return
    from linli.dispatch.actions import record_correction

    record_correction(actor, case.decision, matter=matter, unit=unit, category=case.category or "")


@transaction.atomic
def dispatch_case(
    actor: Any,
    case: Case,
    *,
    unit: Unit,
    co_units: list[Unit] | None = None,
    matter: Matter | None = None,
    note: str = "",
) -> Case:
    """A dispatcher sends a submitted case (or moves a dispatched one) to a lead unit and co-units."""
    case = lock(case)
    guard(can_dispatch_case(actor, case))
    name = "dispatch" if case.state == CaseState.SUBMITTED else "redispatch"
    from .. import workflow

    workflow.check(case, name)
    co_units = list(co_units or [])
    _check_units(actor, case, unit, co_units, matter)
    if matter is not None:
        case.matter, case.category = matter, matter.category
    old, now = case.state, timezone.now()
    case.state = CaseState.DISPATCHED
    case.accepted_at = None if name == "redispatch" else case.accepted_at
    assign(case, unit, co_units, now)
    events.dispatched(case, actor, old, mode="manual", unit=unit, co_units=co_units, reason=note[:500])
    case.save()
    _learn(actor, case, unit, case.matter)
    notify.tell_unit(unit, case, _("New case for you"), case.title)
    if old == CaseState.SUBMITTED:
        notify.tell_reporter(case, _("Your request was sent to %(unit)s") % {"unit": unit.name})
    return case


def route_case(case_id: int) -> Case:
    """The system's own routing of a submitted case: decide, link the decision, and dispatch when the engine
    is sure and the directory allows; otherwise leave it in the dispatchers' queue with the suggestions."""
    from linli.dispatch.services import decide_and_record

    peek = Case.objects.select_related("place").get(pk=case_id)
    if peek.state != CaseState.SUBMITTED:
        return peek
    decision, stored = decide_and_record(
        None, peek.title, peek.body, place=peek.place, channel=peek.channel, case_ref=peek.number, audit_it=False
    )
    with transaction.atomic():
        case = lock(case_id)
        if case.state != CaseState.SUBMITTED:
            return case
        case.decision = stored
        if case.matter is None and decision.matter is not None:
            case.matter = decision.matter
        case.category = case.category or decision.category
        unit = decision.unit
        if decision.mode == "auto" and unit is not None and may_route(unit, case.place):
            old, now = case.state, timezone.now()
            case.state = CaseState.DISPATCHED
            assign(case, unit, [], now)
            events.dispatched(
                case, None, old, mode="auto", unit=unit, co_units=[], reason=decision.reasons.get("place", "")
            )
            notify.tell_unit(unit, case, _("New case for you"), case.title)
            notify.tell_reporter(case, _("Your request was sent to %(unit)s") % {"unit": unit.name})
        else:
            case.sweep_due_at = None  # a person routes it now; the dispatch queue shows it
        case.save()
    return case


@transaction.atomic
def set_co_units(actor: Any, case: Case, co_units: list[Unit]) -> Case:
    case = step(actor, case, "set_co_units", can_dispatch_case)
    _check_units(actor, case, case.lead_unit, co_units, None)  # type: ignore[arg-type]
    now = timezone.now()
    CaseAssignment.objects.filter(case=case, role=AssignmentRole.CO, ended_at__isnull=True).update(ended_at=now)
    for co in co_units:
        if co.pk != case.lead_unit_id:
            CaseAssignment.objects.create(case=case, unit=co, role=AssignmentRole.CO, assigned_at=now)
            notify.tell_unit(co, case, _("You were asked to co-handle a case"), case.title)
    events.co_units_set(case, actor, co_units)
    case.save()
    return case


def level_above(case: Case) -> Unit | None:
    """小事不出小区，大事不出社区: a community's case goes up to its street office, a street's or a department's
    to the district command centre."""
    from linli.orgs.queries import _unit_covering

    kind = case.lead_unit.kind if case.lead_unit else ""
    if kind in (UnitKind.COMMUNITY_COMMITTEE, UnitKind.PROPERTY_COMPANY, UnitKind.SOCIAL_ORGANISATION):
        street = case.place.ancestor_at(PlaceLevel.STREET)
        return _unit_covering(street, UnitKind.STREET_OFFICE) if street else None
    if kind == UnitKind.COMMAND_CENTRE:
        return None
    return _unit_covering(case.place, UnitKind.COMMAND_CENTRE)


def _escalate_locked(actor: Any, case: Case, why: str) -> Case:
    target = level_above(case)
    if target is None:
        raise ValidationError(_("There is no level above this unit to escalate to"))
    old, now, before = case.state, timezone.now(), case.lead_unit
    case.state = CaseState.DISPATCHED
    case.escalated_at = now
    assign(case, target, [], now)
    events.escalated(case, actor, old, to_unit=target, from_unit=before, why=why)
    case.save()
    notify.tell_unit(target, case, _("A case was escalated to you"), why)
    return case


@transaction.atomic
def escalate(actor: Any, case: Case, *, why: str) -> Case:
    """The unit hands a case beyond its power to the level above (a dispatcher may do it too)."""
    case = lock(case)
    guard(can_handle_case(actor, case) or can_dispatch_case(actor, case))
    from .. import workflow

    workflow.check(case, "escalate")
    return _escalate_locked(actor, case, require_text(why, "why", limit=1000))


@transaction.atomic
def merge(actor: Any, duplicate: Case, primary: Case) -> Case:
    """A duplicate joins its primary: it follows the primary's handling, and its reporter is told the answer
    and rates it on their own case."""
    if duplicate.pk == primary.pk:
        raise ValidationError(_("A case cannot be merged into itself"))
    first, second = sorted([duplicate.pk, primary.pk])  # lock in id order: two merges never deadlock
    locked = {first: lock(first), second: lock(second)}
    duplicate, primary = locked[duplicate.pk], locked[primary.pk]
    guard(can_dispatch_case(actor, duplicate) and can_dispatch_case(actor, primary))
    from .. import workflow

    workflow.check(duplicate, "merge")
    if primary.state in (CaseState.MERGED, CaseState.INVALID, CaseState.CLOSED):
        raise ValidationError(_("Merge into an open case"))
    old = duplicate.state
    duplicate.state = CaseState.MERGED
    duplicate.merged_into = primary
    duplicate.sweep_due_at = None
    CaseAssignment.objects.filter(case=duplicate, ended_at__isnull=True).update(ended_at=timezone.now())
    events.merged(duplicate, actor, old, primary)
    duplicate.save()
    events.duplicate_attached(primary, actor, duplicate)
    primary.save()
    notify.tell_reporter(duplicate, _("Your request joins case %(n)s about the same problem") % {"n": primary.number})
    return duplicate


@transaction.atomic
def invalidate(actor: Any, case: Case, *, reason: str, explanation: str) -> Case:
    case = step(actor, case, "invalidate", can_dispatch_case)
    if reason not in InvalidReason.values:
        raise ValidationError({"reason": _("Pick a reason")})
    explanation = require_text(explanation, "explanation", limit=1000)
    old = case.state
    case.state = CaseState.INVALID
    case.invalid_reason = reason
    case.closed_at = timezone.now()
    case.sweep_due_at = None
    CaseAssignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=case.closed_at)
    events.invalidated(case, actor, old, reason=reason, explanation=explanation)
    case.save()
    notify.tell_reporter(case, _("Your request was closed as invalid"), explanation)
    return case
