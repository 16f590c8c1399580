"""Carrying a decision out: each follow-up is a real case of the closed loop, opened through the same intake
action as a grid worker's report (linli.cases.actions.intake.submit_request) and linked to the topic; the
topic shows each case's state and is done when the committee says so and every case is finished — or by
itself when the last linked case closes (`after_case_event`, a listener on the cases' timeline)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_report_found, can_steer_topic, can_take_hotline_calls
from linli.cases.choices import FINAL_STATES, CaseState, Urgency

from ..choices import DecisionOutcome
from ..models import Topic, TopicCase
from .topic_base import S, lock, move, step, tell_raiser, text

# A case is finished when the loop has ended for it; a merged one is carried on by its primary case.
FINISHED = frozenset({*FINAL_STATES, CaseState.MERGED})


def _channel(actor: Any) -> str:
    """The intake channel the actor would use for a case of their own finding: grid and community staff
    report as from the grid; district command and street desks enter it as the hotline does."""
    from linli.dispatch.choices import Channel

    if can_report_found(actor):
        return str(Channel.GRID)
    if can_take_hotline_calls(actor):
        return str(Channel.HOTLINE)
    raise PermissionDenied(_("You may not open cases"))


@transaction.atomic
def open_follow_up_case(
    actor: Any, topic: Topic, text_: str, *, title: str = "", place: Any = None, urgency: str = Urgency.NORMAL
) -> TopicCase:
    """Open a case that carries out the adopted, published decision, at the topic's place or one under it."""
    from linli.cases.actions.intake import Submission, submit_request

    topic = step(actor, topic, can_steer_topic, (S.DECIDED, S.FOLLOWING_UP), _("followed up"))
    if topic.outcome != DecisionOutcome.ADOPTED or topic.published_at is None:
        raise ValidationError(_("Only an adopted decision whose result is published is followed up by cases"))
    place = place or topic.place
    if not place.path.startswith(topic.place.path):
        raise ValidationError({"place": _("The case's place must be the topic's place or one under it")})
    body = text(text_, "text", limit=5000)
    heading = text(title, "title", limit=120, required=False) or _("Follow-up of topic “%(title)s”") % {
        "title": topic.title[:60]
    }
    sub = Submission(channel=_channel(actor), body=body, title=heading, place=place, urgency=urgency)
    case, _created = submit_request(actor, sub)
    link = TopicCase.objects.create(topic=topic, case=case)
    first = topic.state == S.DECIDED
    move(topic, S.FOLLOWING_UP, "case_opened", actor, {"case": case.pk, "number": _number(case)})
    if first:
        tell_raiser(topic, _("Your topic's decision is being carried out"), actor)
    return link


def _number(case: Any) -> str:
    return str(case.number)


def _open_cases(topic: Topic) -> list[int]:
    return list(
        TopicCase.objects.filter(topic=topic).exclude(case__state__in=FINISHED).values_list("case_id", flat=True)
    )


@transaction.atomic
def mark_done(actor: Any, topic: Topic) -> Topic:
    """Done: every follow-up case is finished (or the published decision needed none)."""
    topic = step(actor, topic, can_steer_topic, (S.DECIDED, S.FOLLOWING_UP), _("marked done"))
    if topic.published_at is None:
        raise ValidationError(_("Publish the result first"))
    still = _open_cases(topic)
    if still:
        raise ValidationError(_("%(n)d follow-up case(s) are not finished yet") % {"n": len(still)}, code="cases_open")
    move(topic, S.DONE, "done", actor, {}, done_at=timezone.now())
    tell_raiser(topic, _("Your topic is done"), actor)
    return topic


def after_case_event(case: Any, case_event: Any) -> None:
    """Listener on the cases' timeline (linli.cases.timeline.LISTENERS), inside the case action's transaction:
    when a linked case finishes and it was the topic's last open one, the topic is done."""
    if case_event.new_state not in FINISHED or case_event.old_state == case_event.new_state:
        return
    topic_id = TopicCase.objects.filter(case_id=case.pk).values_list("topic_id", flat=True).first()
    if topic_id is None:
        return
    topic = lock(topic_id)
    # The event is saved before the case row is, so this case is judged by its event, not its stored state.
    if topic.state != S.FOLLOWING_UP or [pk for pk in _open_cases(topic) if pk != case.pk]:
        return
    move(topic, S.DONE, "done", None, {"by_case": case.pk}, done_at=timezone.now())
    tell_raiser(topic, _("Your topic is done"))
