"""A deliberation topic's way (DESIGN §8): raised → discussed → proposal → decided (by the committee with
minutes, or by an owners' vote) → result published → followed up by cases → done; or not taken up.

Each action is atomic, checks its named predicate (linli.accounts.predicates) on the locked topic, refuses a
state it does not start from, writes one TopicEvent (old → new state) and tells the raiser after the commit.
Discussion, follow-up and meetings are in the sibling modules; `vote_closed` is the owners' vote's hook.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_raise_topic, can_steer_topic
from linli.accounts.scopes import can

from ..choices import DecisionKind, DecisionOutcome, VoteState
from ..models import Meeting, Topic
from ..models_votes import Vote
from .topic_base import S, event, lock, move, require_state, step, tell_raiser, text

TITLE_LIMIT = 120
BODY_LIMIT = 5000
# "from any state before a decision": while a vote is running it decides, so a topic being voted on waits.
REJECTABLE = (S.RAISED, S.DISCUSSING, S.PROPOSED)


@transaction.atomic
def raise_topic(actor: Any, *, place: Any, title: str, body: str, name_masked: bool = True) -> Topic:
    """A resident (where they live or own), a grid worker or community staff raises a topic at a building,
    estate or community."""
    if not can_raise_topic(actor, place):
        raise PermissionDenied(_("You may not raise a topic at this place"))
    topic = Topic.objects.create(
        place=place,
        title=text(title, "title", limit=TITLE_LIMIT),
        body=text(body, "body", limit=BODY_LIMIT),
        raised_by=actor if getattr(actor, "pk", None) else None,
        name_masked=bool(name_masked),
        state=S.RAISED,
    )
    event(topic, "raised", actor, "")
    return topic


@transaction.atomic
def open_discussion(actor: Any, topic: Topic) -> Topic:
    topic = step(actor, topic, can_steer_topic, (S.RAISED,), _("opened for discussion"))
    move(topic, S.DISCUSSING, "discussion_opened", actor)
    tell_raiser(topic, _("Your topic is taken up for discussion"), actor)
    return topic


@transaction.atomic
def draft_proposal(actor: Any, topic: Topic, proposal: str) -> Topic:
    """Write (or revise, before a decision) the proposal the discussion arrived at."""
    topic = step(actor, topic, can_steer_topic, (S.DISCUSSING, S.PROPOSED), _("given a proposal"))
    cleaned = text(proposal, "proposal", limit=BODY_LIMIT)
    move(topic, S.PROPOSED, "proposal_drafted", actor, {"revised": topic.state == S.PROPOSED}, proposal=cleaned)
    return topic


@transaction.atomic
def decide_by_committee(
    actor: Any, topic: Topic, outcome: str, decision: str, minutes: str, *, meeting: Meeting | None = None
) -> Topic:
    """The committee decides, recording the minutes that carry the decision (and the meeting they were taken
    at, when there was one: its document is on the meeting)."""
    topic = step(actor, topic, can_steer_topic, (S.PROPOSED,), _("decided"))
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Choose whether the proposal is adopted")})
    cleaned = text(decision, "decision", limit=BODY_LIMIT)
    notes = text(minutes, "minutes", limit=BODY_LIMIT)
    if meeting is not None and meeting.topic_id != topic.pk:
        raise ValidationError({"meeting": _("That meeting belongs to another topic")})
    payload = {"outcome": outcome, "minutes": notes, "meeting": meeting.pk if meeting else None}
    move(
        topic,
        S.DECIDED,
        "decided",
        actor,
        payload,
        decision_kind=DecisionKind.COMMITTEE,
        outcome=outcome,
        decision=cleaned,
        decided_at=timezone.now(),
    )
    tell_raiser(topic, _("Your topic has been decided"), actor)
    return topic


@transaction.atomic
def put_to_vote(actor: Any, topic: Topic, vote: Vote) -> Topic:
    """Let an owners' vote (draft or open, at the topic's place or below) decide: the topic waits, DECIDING,
    until the vote closes (`vote_closed`)."""
    topic = step(actor, topic, can_steer_topic, (S.PROPOSED,), _("put to a vote"))
    vote = Vote.objects.select_for_update(of=("self",)).select_related("place").get(pk=vote.pk)
    if not can(actor, "change", vote):
        raise PermissionDenied(_("You may not use this vote"))
    if vote.state not in (VoteState.DRAFT, VoteState.OPEN):
        raise ValidationError({"vote": _("Only a vote not yet closed can decide a topic")})
    if not vote.place.path.startswith(topic.place.path):
        raise ValidationError({"vote": _("The vote must be held at the topic's place or below it")})
    if Topic.objects.filter(vote=vote).exclude(pk=topic.pk).exists():
        raise ValidationError({"vote": _("This vote already decides another topic")})
    move(topic, S.DECIDING, "put_to_vote", actor, {"vote": vote.pk}, decision_kind=DecisionKind.VOTE, vote=vote)
    tell_raiser(topic, _("Your topic has been put to the owners' vote"), actor)
    return topic


def vote_adopted(result: Any) -> bool:
    """The rule: a topic put to a vote is adopted when every question of the vote passed (art. 278 as counted
    in the result's `outcome`, one entry per question, each with `passed`); no outcome at all adopts nothing.
    `outcome` is read as a mapping {question id: {...}} or a list of such entries."""
    outcome = (result or {}).get("outcome") if isinstance(result, dict) else None
    entries = list(outcome.values()) if isinstance(outcome, dict) else list(outcome or [])
    return bool(entries) and all(isinstance(e, dict) and e.get("passed") is True for e in entries)


def vote_closed(vote: Vote) -> Topic | None:
    """Called by close_vote inside its transaction, once `vote.result` is set: settles the topic the vote
    decides, if any (DECIDING → DECIDED and published, adopted when every question passed: `vote_adopted`)."""
    with transaction.atomic():
        pk = Topic.objects.filter(vote_id=vote.pk).values_list("pk", flat=True).first()
        if pk is None:
            return None
        topic = lock(pk)
        require_state(topic, (S.DECIDING,), _("settled by a vote"))
        adopted = vote_adopted(vote.result)
        outcome = DecisionOutcome.ADOPTED if adopted else DecisionOutcome.NOT_ADOPTED
        summary = _("Decided by the owners' vote “%(title)s”: %(outcome)s") % {
            "title": vote.title,
            "outcome": DecisionOutcome(outcome).label,
        }
        move(
            topic,
            S.DECIDED,
            "decided",
            None,
            {"outcome": outcome, "vote": vote.pk},
            outcome=outcome,
            decision=summary,
            decided_at=timezone.now(),
            # The vote's result is public when it closes (its result file), so the topic's is too.
            published_at=timezone.now(),
        )
        tell_raiser(topic, _("Your topic has been decided"))
        return topic


@transaction.atomic
def publish_result(actor: Any, topic: Topic) -> Topic:
    """Make the decision public on the topic's page (the state stays DECIDED; `published_at` says so)."""
    topic = step(actor, topic, can_steer_topic, (S.DECIDED,), _("published"))
    if topic.published_at is not None:
        raise ValidationError(_("The result is already published"))
    move(topic, S.DECIDED, "published", actor, {"outcome": topic.outcome}, published_at=timezone.now())
    tell_raiser(topic, _("The result of your topic is published"), actor)
    return topic


@transaction.atomic
def reject_topic(actor: Any, topic: Topic, reason: str) -> Topic:
    """Not taken up, with the reason the raiser and everyone reading it sees."""
    topic = step(actor, topic, can_steer_topic, REJECTABLE, _("rejected"))
    cleaned = text(reason, "reason", limit=2000)
    move(topic, S.REJECTED, "rejected", actor, {"reason": cleaned}, rejected_reason=cleaned)
    tell_raiser(topic, _("Your topic was not taken up"), actor)
    return topic
