"""The data-scope spec for deliberation (DESIGN §8 and §1 "sees"), over the fixture world's topics
(linli/tests/matrix_topics.py).

Written from the rules, not from linli.participation.scoping, and deciding in Python over rows read once:
- a topic belongs to a building, estate or community, and is read by the people of that place and the staff
  working there: the place roles (grid worker, community worker and secretary, street dispatcher, district
  command) read the topics at places under their grants and at the places above a grant (a grid worker
  takes part in the community's topics);
- residents and volunteers read the topics at the places they live in or own (their registry record, matched
  on the account's phone; an owner's house) and at the places above, and the topics they raised wherever
  they live now; nothing else;
- changing (moderating, steering) is the community committee's: community workers and secretaries, and
  district command, under their grants — not above them;
- a topic's comments, meetings, attendees, follow-up links and timeline go with the topic;
- department handlers, service providers and auditors read none of it; platform admins reach everything;
  exporting is reading; "pick" is defined for places only, so it is left open here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.participation.models import Comment, Meeting, MeetingAttendee, Topic, TopicCase, TopicEvent

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
EDITORS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}
TAKING_PART = {Role.RESIDENT, Role.VOLUNTEER}

TOPIC_PARTS: dict[str, tuple[type[Any], str]] = {
    "participation.comment": (Comment, "topic_id"),
    "participation.meeting": (Meeting, "topic_id"),
    "participation.meetingattendee": (MeetingAttendee, "meeting__topic_id"),
    "participation.topiccase": (TopicCase, "topic_id"),
    "participation.topicevent": (TopicEvent, "topic_id"),
}
TOPIC_MODELS: dict[str, type[Any]] = {
    "participation.topic": Topic,
    **{label: model for label, (model, _) in TOPIC_PARTS.items()},
}


class TopicFacts:
    """The world's topics, read once per matrix run: where each lives and who raised it; each part's topic;
    and where each account's holder lives or owns (registry rows matched on the phone's digest)."""

    def __init__(self) -> None:
        from linli.accounts.models import User
        from linli.people.models import Ownership, Person

        self.topics: dict[int, tuple[str, int | None]] = {
            pk: (path, by) for pk, path, by in Topic.objects.values_list("pk", "place__path", "raised_by_id")
        }
        self.parts = {
            label: dict(model.objects.values_list("pk", field)) for label, (model, field) in TOPIC_PARTS.items()
        }
        homes: dict[str, set[str]] = {}
        living = Person.objects.filter(left_on__isnull=True).values_list("phone_digest", "place__path")
        owning = Ownership.objects.filter(until__isnull=True).values_list("person__phone_digest", "house__path")
        for digest, path in [*living, *owning]:
            if digest:
                homes.setdefault(digest, set()).add(path)
        self.homes: dict[int, set[str]] = {
            pk: homes.get(digest, set()) for pk, digest in User.objects.values_list("pk", "phone_digest") if digest
        }


def _reach(facts: TopicFacts, user: Any, hats: list[Any], action: str) -> set[int]:
    """The topics the viewer must reach for `action` ("view" or "change")."""
    out: set[int] = set()
    roles = EDITORS if action == "change" else READERS
    grants = [h.path for h in hats if h.role in roles and h.path]
    homes = facts.homes.get(user.pk, set()) if any(h.role in TAKING_PART for h in hats) else set()
    for pk, (path, raised_by) in facts.topics.items():
        if any(path.startswith(g) for g in grants):
            out.add(pk)
        elif action != "change" and any(g.startswith(path) for g in grants):
            out.add(pk)  # above a grant: the community of a grid worker's grid
        elif action != "change" and any(home.startswith(path) for home in homes):
            out.add(pk)
        elif action != "change" and raised_by == user.pk and any(h.role in TAKING_PART for h in hats):
            out.add(pk)
    return out


def topic_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: TopicFacts = snap.topic_facts
        rows = facts.topics if label == "participation.topic" else facts.parts[label]
        if action == "pick":
            return set(), set(rows)
        if any(h.role == Role.PLATFORM_ADMIN for h in hats):
            return set(rows), set()
        topics = _reach(facts, user, hats, action)
        if label == "participation.topic":
            return topics, set()
        return {pk for pk, topic in facts.parts[label].items() if topic in topics}, set()

    return rule
