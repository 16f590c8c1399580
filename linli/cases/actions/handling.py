"""Handling by the lead unit and the resident's answer: accept, contact, note, resolve, verify, rate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_handle_case, can_rate_case, can_verify_case
from linli.core.photos import check_photos

from .. import events, notify
from ..choices import CaseState, PhotoStage, Rating
from ..deadlines import rehandle_due
from ..models import Case
from .base import require_text, step
from .intake import _store_photos
from .routing import schedule_sweep


def needs_verification(case: Case) -> bool:
    """核查: events and components of the urban-management list are checked on site before the resident rates."""
    return case.matter is not None and case.matter.case_type in ("事件", "部件")


@transaction.atomic
def accept(actor: Any, case: Case) -> Case:
    case = step(actor, case, "accept", can_handle_case)
    old = case.state
    case.state = CaseState.ACCEPTED
    case.accepted_at = timezone.now()
    events.accepted(case, actor, old, case.lead_unit)
    case.save()
    notify.tell_reporter(case, _("%(unit)s has taken up your request") % {"unit": case.lead_unit.name})  # type: ignore[union-attr]
    return case


@transaction.atomic
def contact(actor: Any, case: Case, *, note: str) -> Case:
    """The unit reached the resident (响应): counts for the response rate when within the contact deadline."""
    case = step(actor, case, "contact", can_handle_case)
    note = require_text(note, "note", limit=1000)
    now = timezone.now()
    on_time = case.contact_due is None or now <= case.contact_due
    if case.contacted_at is None:
        case.contacted_at = now
    schedule_sweep(case)
    events.contacted(case, actor, case.lead_unit, note=note, on_time=on_time)
    case.save()
    return case


@transaction.atomic
def add_note(actor: Any, case: Case, *, note: str, public: bool = False) -> Case:
    case = step(actor, case, "note", can_handle_case)
    note = require_text(note, "note", limit=2000)
    events.noted(case, actor, case.lead_unit.name, note=note, public=public)  # type: ignore[union-attr]
    case.save()
    if public:
        notify.tell_reporter(case, _("News on your request"), note)
    return case


@transaction.atomic
def resolve(actor: Any, case: Case, *, answer: str, photos: Sequence[IO[bytes] | bytes] = ()) -> Case:
    """The answer to the resident, with evidence photos where there are any."""
    answer = require_text(answer, "answer", limit=3000)
    clean = check_photos(photos) if photos else []
    case = step(actor, case, "resolve", can_handle_case)
    now = timezone.now()
    old = case.state
    case.state = CaseState.RESOLVED
    case.resolved_at = now
    case.answer = answer
    on_time = case.handle_due is None or now <= case.handle_due
    count = _store_photos(case, clean, PhotoStage.EVIDENCE)
    case.sweep_due_at = None
    events.resolved(case, actor, old, case.lead_unit, answer=answer, photos=count, on_time=on_time)
    case.save()
    if not needs_verification(case):
        notify.tell_reporter(case, _("Your request was answered: please rate it"), answer)
    _answer_duplicates(actor, case, answer)
    return case


def _answer_duplicates(actor: Any, primary: Case, answer: str) -> None:
    """Every reporter of a merged duplicate hears the answer on their own case, and rates it there."""
    from .base import lock

    for dup_id in primary.duplicates.filter(state=CaseState.MERGED).values_list("pk", flat=True):
        dup = lock(dup_id)
        old = dup.state
        dup.state = CaseState.RESOLVED
        dup.resolved_at, dup.answer = primary.resolved_at, answer
        dup.lead_unit = primary.lead_unit
        events.resolved(dup, actor, old, primary.lead_unit, answer=answer, photos=0, on_time=True)
        dup.save()
        notify.tell_reporter(dup, _("Your request was answered: please rate it"), answer)


@transaction.atomic
def verify(actor: Any, case: Case, *, passed: bool, note: str) -> Case:
    """核查 on site: passed goes on to the resident's rating; failed goes back to the unit."""
    case = step(actor, case, "verify", can_verify_case)
    if not needs_verification(case):
        raise ValidationError(_("This case's matter needs no verification"))
    note = require_text(note, "note", limit=1000)
    old = case.state
    if passed:
        case.state = CaseState.VERIFIED
    else:
        case.state = CaseState.ACCEPTED
        case.handle_due = rehandle_due(timezone.now(), case.matter, case.urgency, case.lead_unit)
        case.handle_overdue = False
        schedule_sweep(case)
    events.verified(case, actor, old, passed=passed, note=note)
    case.save()
    if passed:
        notify.tell_reporter(case, _("Your request was answered: please rate it"), case.answer)
    else:
        notify.tell_unit(case.lead_unit, case, _("Verification failed: handle the case again"), note)
    return case


@transaction.atomic
def rate(actor: Any, case: Case, *, rating: str, resolved: bool, comment: str = "") -> Case:
    """The resident's rating: satisfied (or basically) and resolved closes the case; anything else reopens it
    to the same unit with the re-handling deadline."""
    case = step(actor, case, "rate", can_rate_case)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Pick 满意, 基本满意 or 不满意")})
    if needs_verification(case) and case.state != CaseState.VERIFIED:
        raise ValidationError(_("The answer is still being verified on site"))
    comment = require_text(comment, "comment", limit=500) if comment.strip() else ""
    now, old = timezone.now(), case.state
    case.rating, case.resolved_by_rating, case.rating_comment, case.rated_at = rating, resolved, comment, now
    if rating != Rating.UNSATISFIED and resolved:
        case.state = CaseState.CLOSED
        case.closed_at = now
        events.rated(case, actor, old, rating=rating, resolved=resolved, comment=comment)
        case.save()
        return case
    case.state = CaseState.ACCEPTED
    events.rated(case, actor, old, rating=rating, resolved=resolved, comment=comment)
    _reopen(case, why="unsatisfied" if rating == Rating.UNSATISFIED else "unresolved")
    case.save()
    return case


def _reopen(case: Case, *, why: str) -> None:
    """回访重办: back to the same unit (a merged duplicate stays with its primary's unit) with a fresh deadline."""
    case.reopen_count += 1
    case.resolved_at = None
    case.handle_due = rehandle_due(timezone.now(), case.matter, case.urgency, case.lead_unit)
    case.handle_overdue = False
    if case.merged_into_id:
        case.merged_into = None  # the reporter's own problem is handled on their own case from here
    schedule_sweep(case)
    events.reopened(case, CaseState.ACCEPTED, why=why, unit=case.lead_unit)
    notify.tell_unit(
        case.lead_unit, case, _("The resident was not satisfied: handle the case again"), case.rating_comment
    )


@transaction.atomic
def close_unrated(case: Case) -> Case:
    """The sweep closes a case whose resident did not rate within the window."""
    from .. import workflow
    from .base import lock

    case = lock(case)
    workflow.check(case, "close_unrated")
    old = case.state
    case.state = CaseState.CLOSED
    case.closed_at = timezone.now()
    events.closed(case, None, old, why="not rated in time")
    case.save()
    return case
