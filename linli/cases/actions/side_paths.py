"""The side paths of DESIGN §4 that need a second person: returns (退单) and their review, extensions and
suspensions with approval, and whistles (吹哨) with their reports (报到)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import (
    can_arbitrate,
    can_blow_whistle,
    can_decide_approval,
    can_handle_case,
    can_report_whistle,
    can_review_return,
)
from linli.orgs.directory import may_assign
from linli.orgs.models import Unit
from linli.worktime.clock import WorkCalendar

from .. import events, notify
from ..choices import ApprovalKind, ApprovalState, CaseState, ReturnReason, ReviewOutcome
from ..deadlines import extended, whistle_due
from ..models import Case, CaseApproval, CaseReturn, WhistleCall
from .base import guard, lock, require_text, step
from .routing import assign, schedule_sweep

MAX_EXTENSION_DAYS = 30


def _lead(case: Case) -> Unit:
    if case.lead_unit is None:
        raise ValidationError(_("The case has no lead unit"))
    return case.lead_unit


@transaction.atomic
def return_case(
    actor: Any, case: Case, *, reason: str, explanation: str, suggested_unit: Unit | None = None
) -> CaseReturn:
    case = step(actor, case, "return", can_handle_case)
    if reason not in ReturnReason.values:
        raise ValidationError({"reason": _("Pick a reason for the return")})
    explanation = require_text(explanation, "explanation", limit=2000)
    if case.return_count >= settings.CASE_MAX_RETURNS:
        raise ValidationError(
            _("This case was returned %(n)d times already: handle it, or escalate it for the district to arbitrate")
            % {"n": case.return_count}
        )
    ret = CaseReturn.objects.create(
        case=case,
        unit=_lead(case),
        reason=reason,
        explanation=explanation,
        suggested_unit=suggested_unit,
        returned_by=actor,
        returned_at=timezone.now(),
    )
    old = case.state
    case.state = CaseState.RETURNED
    case.return_count += 1
    if settings.CASE_RETURN_PAUSES_CLOCK:
        case.suspended_at = ret.returned_at
        case.sweep_due_at = None
    events.returned(case, actor, old, ret)
    case.save()
    return ret


@transaction.atomic
def review_return(actor: Any, ret: CaseReturn, *, uphold: bool, unit: Unit | None = None, note: str = "") -> CaseReturn:
    """Uphold (send it to `unit`, which becomes the final owner) or reject (the returning unit keeps it and
    its clock). A case past its returns, or a return of the street's own case, is for the district."""
    case = lock(ret.case_id)
    ret = CaseReturn.objects.select_for_update().get(pk=ret.pk)
    arbitrating = can_arbitrate(actor, case)
    guard(can_review_return(actor, case))
    from .. import workflow

    workflow.check(case, "review_return")
    if ret.outcome != ReviewOutcome.PENDING:
        raise ValidationError(_("This return was reviewed already"))
    if ret.unit.kind == "street_office" and not arbitrating:
        raise ValidationError(_("A street's own return is arbitrated by the district"))
    note = note.strip()
    now, old = timezone.now(), case.state
    case.state = CaseState.DISPATCHED
    if uphold:
        if unit is None or unit.pk == ret.unit_id:
            raise ValidationError({"unit": _("Name the unit that takes the case instead")})
        if not may_assign(actor, unit, place=case.place):
            raise ValidationError({"unit": _("You may not send work to %(unit)s") % {"unit": unit.name}})
        case.accountable_unit = unit  # a review that moves the case moves who answers for it
        assign(case, unit, [], now)
        ret.outcome, ret.final_unit = ReviewOutcome.UPHELD, unit
    else:
        note = require_text(note, "note", limit=1000)
        ret.outcome, ret.final_unit = ReviewOutcome.REJECTED, ret.unit
        _resume_clock(case, now)
    ret.reviewed_by, ret.reviewed_at, ret.review_note, ret.arbitrated = actor, now, note, arbitrating
    ret.save()
    events.return_reviewed(case, actor, old, ret)
    case.save()
    notify.tell_unit(ret.final_unit, case, _("A returned case is yours"), note)
    return ret


def _resume_clock(case: Case, now: Any) -> None:
    """After a pause (a suspension, or a return when returns pause the clock) the deadline moves by the
    working time that passed."""
    if case.suspended_at is not None and case.handle_due is not None:
        calendar = WorkCalendar()
        paused = sum(
            1
            for n in range((now.date() - case.suspended_at.date()).days)
            if calendar.is_working_day(case.suspended_at.date() + datetime.timedelta(days=n + 1))
        )
        case.handle_due = extended(case.handle_due, paused)
    case.suspended_at = None
    schedule_sweep(case)


@transaction.atomic
def request_approval(actor: Any, case: Case, *, kind: str, reason: str, working_days: int = 0) -> CaseApproval:
    case = step(actor, case, "request_approval", can_handle_case)
    if kind not in ApprovalKind.values:
        raise ValidationError({"kind": _("Extension or suspension")})
    if kind == ApprovalKind.EXTENSION and not 1 <= working_days <= MAX_EXTENSION_DAYS:
        raise ValidationError({"working_days": _("Ask for 1 to %(n)d working days") % {"n": MAX_EXTENSION_DAYS}})
    if case.approvals.filter(state=ApprovalState.PENDING).exists():
        raise ValidationError(_("A request for approval is already waiting on this case"))
    approval = CaseApproval.objects.create(
        case=case,
        kind=kind,
        unit=_lead(case),
        working_days=working_days if kind == ApprovalKind.EXTENSION else 0,
        reason=require_text(reason, "reason", limit=2000),
        requested_by=actor,
        requested_at=timezone.now(),
    )
    events.approval_requested(case, actor, approval)
    case.save()
    return approval


@transaction.atomic
def decide_approval(actor: Any, approval: CaseApproval, *, approve: bool, note: str = "") -> CaseApproval:
    case = lock(approval.case_id)
    approval = CaseApproval.objects.select_for_update().get(pk=approval.pk)
    guard(can_decide_approval(actor, case))
    from .. import workflow

    workflow.check(case, "decide_approval")
    if approval.state != ApprovalState.PENDING:
        raise ValidationError(_("This request was decided already"))
    if not approve:
        note = require_text(note, "note", limit=1000)
    now, old = timezone.now(), case.state
    approval.state = ApprovalState.APPROVED if approve else ApprovalState.REFUSED
    approval.decided_by, approval.decided_at, approval.decision_note = actor, now, note.strip()
    approval.save()
    if approve and approval.kind == ApprovalKind.EXTENSION:
        case.handle_due = extended(case.handle_due or now, approval.working_days)
        case.handle_overdue = False
        case.extension_count += 1
        schedule_sweep(case)
    elif approve:
        case.state = CaseState.SUSPENDED
        case.suspended_at = now
        case.sweep_due_at = None
    events.approval_decided(case, actor, old, approval)
    case.save()
    if approve:
        what = _("extended") if approval.kind == ApprovalKind.EXTENSION else _("suspended")
        notify.tell_reporter(case, _("Handling of your request was %(what)s") % {"what": what}, approval.reason)
    notify.tell_unit(case.lead_unit, case, _("Your request for approval was decided"), note)
    return approval


@transaction.atomic
def resume(actor: Any, case: Case) -> Case:
    case = step(actor, case, "resume", can_handle_case)
    old = case.state
    case.state = CaseState.ACCEPTED if case.accepted_at else CaseState.DISPATCHED
    _resume_clock(case, timezone.now())
    events.resumed(case, actor, old)
    case.save()
    notify.tell_reporter(case, _("Handling of your request has resumed"))
    return case


@transaction.atomic
def blow_whistle(actor: Any, case: Case, *, units: list[Unit], note: str) -> list[WhistleCall]:
    """吹哨: summon departments to the case; each must report on site (报到) by the whistle deadline."""
    case = step(actor, case, "blow_whistle", can_blow_whistle)
    if not units:
        raise ValidationError({"units": _("Name at least one unit to summon")})
    note = require_text(note, "note", limit=2000)
    for unit in units:
        if not may_assign(actor, unit, place=case.place):
            raise ValidationError({"units": _("You may not summon %(unit)s") % {"unit": unit.name}})
    now = timezone.now()
    calls = [
        WhistleCall.objects.create(
            case=case, unit=u, note=note, blown_by=actor, blown_at=now, arrive_by=whistle_due(now)
        )
        for u in units
    ]
    events.whistle_blown(case, actor, calls)
    case.save()
    for call in calls:
        notify.tell_unit(
            call.unit,
            case,
            _("Whistle: report on site by %(t)s") % {"t": f"{timezone.localtime(call.arrive_by):%H:%M}"},
            note,
        )
    return calls


@transaction.atomic
def report_whistle(actor: Any, call: WhistleCall, *, note: str = "") -> WhistleCall:
    case = lock(call.case_id)
    call = WhistleCall.objects.select_for_update().select_related("unit").get(pk=call.pk)
    guard(can_report_whistle(actor, call))
    from .. import workflow

    workflow.check(case, "report_whistle")
    if call.reported_at is not None:
        raise ValidationError(_("This unit has reported already"))
    call.reported_at, call.reported_by, call.report_note = timezone.now(), actor, note.strip()[:1000]
    call.late = call.late or call.reported_at > call.arrive_by
    call.save()
    events.whistle_reported(case, actor, call)
    case.save()
    return call
