"""The scope rules for deliberation and owners' votes, registered with linli.accounts.scopes (the one place).

Reach is by place, both ways up and down the tree:
- staff with place grants (grid worker, community staff, street dispatcher, district command) read topics and
  votes at places under their grants and at the places above a grant (a grid worker reads the community's
  topics); changing — moderating, calling meetings, running a vote — is for community workers, secretaries
  and district command under their grants;
- residents and volunteers read topics and votes at the places they live in or own (their registry record,
  matched on the verified phone's digest) and above, and the topics they raised;
- a roll entry is read by the staff who run the vote (turnout: who has voted, never how), by the owners it
  names and by the registered proxy who votes for them; a ballot by nobody until its vote is closed and
  published, and then by whoever reads the vote;
  paper entries by the staff who run the vote. Nothing here is changed except through the actions.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import PLACE_EDITORS, PLACE_READERS, Scope, any_of, keep, register, under_any
from linli.places.models import SEGMENT_WIDTH

from .choices import VoteState

TAKING_PART = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def ancestors_or_self(paths: tuple[str, ...]) -> list[str]:
    found = {p[:end] for p in paths for end in range(SEGMENT_WIDTH, len(p) + 1, SEGMENT_WIDTH)}
    return sorted(found)


def home_paths(user: Any) -> tuple[str, ...]:
    """The place paths where the user's registry record lives or owns (cached on the user object)."""
    cached = getattr(user, "_linli_home_paths", None)
    if cached is not None:
        return tuple(cached)
    from linli.people.models import Ownership, Person

    found: set[str] = set()
    digest = getattr(user, "phone_digest", None)
    if digest:
        people = Person.objects.filter(phone_digest=digest, left_on__isnull=True)
        found.update(people.values_list("place__path", flat=True))
        owned = Ownership.objects.filter(person__phone_digest=digest, until__isnull=True)
        found.update(owned.values_list("house__path", flat=True))
    user._linli_home_paths = tuple(sorted(found))
    return tuple(sorted(found))


def place_condition(scope: Scope, action: str, user: Any, field: str) -> models.Q | None:
    if action == "change":
        return under_any(scope.paths(PLACE_EDITORS), field)
    staff = scope.paths(PLACE_READERS)
    conditions: list[models.Q | None] = [under_any(staff, field)]
    if staff:
        conditions.append(models.Q(**{f"{field}__in": ancestors_or_self(staff)}))
    if scope.has(TAKING_PART):
        conditions.append(home_condition(user, field))
    return any_of(*conditions)


def home_condition(user: Any, field: str) -> models.Q | None:
    """`field` (a place path) lies at or above a place where the user's registry record lives or owns, as
    EXISTS subqueries: restrict() stays at two queries (the scope's and the list's)."""
    from linli.people.models import Ownership, Person

    digest = getattr(user, "phone_digest", None)
    if not digest:
        return None
    lives = Person.objects.filter(
        phone_digest=digest, left_on__isnull=True, place__path__startswith=models.OuterRef(field)
    )
    owns = Ownership.objects.filter(
        person__phone_digest=digest, until__isnull=True, house__path__startswith=models.OuterRef(field)
    )
    return models.Q(models.Exists(lives)) | models.Q(models.Exists(owns))


def topic_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    condition = place_condition(scope, action, user, "place__path")
    # Exporting is reading (DESIGN §12): the raiser's own topic is theirs to export as to read.
    if action in ("view", "export") and scope.has(TAKING_PART):
        condition = any_of(condition, models.Q(raised_by_id=user.pk))
    return keep(qs, condition)


def topic_part_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    prefix = "meeting__topic__" if qs.model._meta.model_name == "meetingattendee" else "topic__"
    condition = place_condition(scope, action, user, f"{prefix}place__path")
    if action in ("view", "export") and scope.has(TAKING_PART):
        condition = any_of(condition, models.Q(**{f"{prefix}raised_by_id": user.pk}))
    return keep(qs, condition)


def vote_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, place_condition(scope, action, user, "place__path"))


def question_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, place_condition(scope, action, user, "vote__place__path"))


def roll_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """Staff who run the vote, and the owners an entry names."""
    if scope.everything:
        return qs
    prefix = "entry__" if qs.model._meta.model_name == "rollowner" else ""
    staff = under_any(scope.paths(PLACE_EDITORS if action == "change" else PLACE_READERS), f"{prefix}vote__place__path")
    own = None
    digest = getattr(user, "phone_digest", None)
    if action == "view" and scope.has(TAKING_PART) and digest:
        owners = "owners__" if not prefix else "entry__owners__"
        # The owners it names, and the registered proxy who votes for them (their ballot page needs the entry).
        own = models.Q(**{f"{owners}person__phone_digest": digest}) | models.Q(
            **{f"{prefix}proxy_person__phone_digest": digest}
        )
    qs = keep(qs, any_of(staff, own))
    return qs.distinct() if own is not None else qs


def ballot_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()  # written by the casting actions alone
    published = models.Q(vote__state=VoteState.CLOSED)
    if scope.everything:
        return qs.filter(published)
    return keep(qs, place_condition(scope, "view", user, "vote__place__path")).filter(published)


def paper_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, under_any(scope.paths(PLACE_EDITORS), "vote__place__path"))


def register_rules() -> None:
    register("participation.topic", topic_rule)
    for part in ("comment", "meeting", "meetingattendee", "topiccase", "topicevent"):
        register(f"participation.{part}", topic_part_rule)
    register("participation.vote", vote_rule)
    register("participation.question", question_rule)
    register("participation.rollentry", roll_rule)
    register("participation.rollowner", roll_rule)
    register("participation.ballot", ballot_rule)
    register("participation.paperentry", paper_rule)
