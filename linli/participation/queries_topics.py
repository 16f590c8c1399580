"""Reads for the deliberation pages: each starts from `restrict(user, action)` (the topic scope rule in
linli.participation.scoping). A topic's page is read in a fixed number of queries whatever the size of its
discussion: the thread is one query, folded into its tree in Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from linli.accounts.choices import ROLE_SENIORITY, STAFF_ROLES, Role
from linli.accounts.models import Grant
from linli.accounts.predicates import TOPIC_LEVELS, TOPIC_RAISERS, TOPIC_RESIDENTS
from linli.accounts.scopes import scope_of, under_any
from linli.core.masking import mask_name
from linli.places.models import Place

from .choices import TopicState
from .models import Comment, Meeting, Topic, TopicCase, TopicEvent
from .scoping import ancestors_or_self, home_paths


def topics_for(user: Any, action: str = "view") -> QuerySet[Topic]:
    return Topic.objects.restrict(user, action)


def topic_list(user: Any, *, state: str = "", place: Place | None = None) -> QuerySet[Topic]:
    """The user's topics, newest first, with their place and comment count (one query per page)."""
    qs = topics_for(user).select_related("place").annotate(comment_count=Count("comments"))
    if state in TopicState.values:
        qs = qs.filter(state=state)
    if place is not None:
        qs = qs.filter(under_any([place.path], "place__path"))
    return qs.order_by("-created_at", "-pk")


def topic_or_404(user: Any, pk: int, action: str = "view") -> Topic:
    topic = topics_for(user, action).select_related("place", "raised_by", "vote").filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def raise_places(user: Any) -> QuerySet[Place]:
    """Buildings, estates and communities where the user may raise a topic (linli.accounts.predicates
    can_raise_topic, as one query)."""
    scope = scope_of(user)
    base = Place.objects.filter(level__in=sorted(TOPIC_LEVELS), is_active=True).order_by("path")
    if scope.everything:
        return base
    staff = list(scope.paths(TOPIC_RAISERS))
    homes = list(home_paths(user)) if scope.has(TOPIC_RESIDENTS) else []
    condition = under_any(staff, "path")
    above = ancestors_or_self(tuple(staff + homes))
    if above:
        condition = Q(path__in=above) if condition is None else condition | Q(path__in=above)
    if condition is None:
        return base.none()
    return base.filter(condition)


def filter_places(user: Any) -> QuerySet[Place]:
    """Places to filter the topic list by: the topic-level places the user reads, and those they may raise at
    (a resident reads no places, yet has their building, estate and community)."""
    from linli.places.queries import places_for

    readable = places_for(user).filter(level__in=sorted(TOPIC_LEVELS)).values("pk")
    return Place.objects.filter(Q(pk__in=readable) | Q(pk__in=raise_places(user).values("pk"))).order_by("path")


@dataclass
class Entry:
    """One comment in the thread, with its depth and the name it is shown under."""

    comment: Comment
    depth: int
    shown_as: str


def _staff_roles(user_ids: set[int]) -> dict[int, str]:
    """The most senior staff role of each author now (one query), for "staff always show their role"."""
    held: dict[int, set[str]] = {}
    rows = Grant.objects.active().filter(user_id__in=sorted(user_ids), role__in=sorted(STAFF_ROLES))
    for user_id, role in rows.values_list("user_id", "role"):
        held.setdefault(user_id, set()).add(role)
    return {uid: next(r for r in ROLE_SENIORITY if r in roles) for uid, roles in held.items()}


def shown_name(user: Any, masked: bool, staff_role: str | None) -> str:
    if user is None:
        return "—"
    if staff_role:
        return str(Role(staff_role).label)
    name = str(user)
    return mask_name(name) if masked else name


def thread(topic: Topic) -> list[Entry]:
    """The discussion in reading order: each comment followed by its replies, depth-first (one query, and one
    for the authors' roles)."""
    rows = list(Comment.objects.filter(topic=topic).select_related("author").order_by("created_at", "pk"))
    roles = _staff_roles({c.author_id for c in rows if c.author_id})
    children: dict[int | None, list[Comment]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    out: list[Entry] = []
    stack = [(row, 0) for row in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        out.append(Entry(row, depth, shown_name(row.author, row.name_masked, roles.get(row.author_id or 0))))
        stack.extend((child, depth + 1) for child in reversed(children.get(row.pk, [])))
    return out


def raiser_name(topic: Topic) -> str:
    roles = _staff_roles({topic.raised_by_id}) if topic.raised_by_id else {}
    return shown_name(topic.raised_by, topic.name_masked, roles.get(topic.raised_by_id or 0))


def timeline(topic: Topic) -> list[TopicEvent]:
    return list(TopicEvent.objects.filter(topic=topic).order_by("at", "pk"))


def meetings(topic: Topic) -> list[Meeting]:
    return list(Meeting.objects.filter(topic=topic).prefetch_related("attendees").order_by("starts_at", "pk"))


def follow_ups(topic: Topic) -> list[TopicCase]:
    return list(TopicCase.objects.filter(topic=topic).select_related("case").order_by("pk"))


def meeting_or_404(user: Any, pk: int, action: str = "view") -> Meeting:
    meeting = Meeting.objects.restrict(user, action).select_related("topic", "topic__place").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


@dataclass
class QuestionTally:
    text: str
    kind: str
    owners: Any = None
    area: Any = None
    options: list[tuple[str, Any, Any]] = field(default_factory=list)
    passed: bool | None = None


def _per_question(part: Any, qid: str, index: int) -> dict[str, Any]:
    if isinstance(part, dict):
        found = part.get(qid)
        return found if isinstance(found, dict) else {}
    if isinstance(part, list) and index < len(part) and isinstance(part[index], dict):
        return part[index]
    return {}


def vote_summary(result: Any) -> list[QuestionTally]:
    """The tally by heads and by area of a published vote's result file (per question), read defensively:
    the file is the vote's, and a page must not break on it."""
    if not isinstance(result, dict):
        return []
    out = []
    for index, question in enumerate(result.get("questions") or []):
        if not isinstance(question, dict):
            continue
        qid = str(question.get("id", ""))
        tally = _per_question(result.get("tally"), qid, index)
        outcome = _per_question(result.get("outcome"), qid, index)
        taking_part = tally.get("participating") or {}
        by_option = tally.get("by_option") or {}
        options = [
            (str(name), (by_option.get(name) or {}).get("owners"), _area((by_option.get(name) or {}).get("area")))
            for name in question.get("options") or list(by_option)
        ]
        out.append(
            QuestionTally(
                text=str(question.get("text", "")),
                kind=str(question.get("kind", "")),
                owners=taking_part.get("owners"),
                area=_area(taking_part.get("area")),
                options=options,
                passed=outcome.get("passed") if isinstance(outcome.get("passed"), bool) else None,
            )
        )
    return out


def _area(value: Any) -> Any:
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None
