"""The data-scope spec for owners' votes (DESIGN §1 "sees", §8), over the fixture world's votes
(linli/tests/matrix_votes.py).

Written from the rules, not from linli.participation.scoping, and deciding in Python over rows read once:
- a vote and its questions are read by the place roles (grid worker, community staff, street dispatcher,
  district command) under whose places the vote's estate or building lies, and by those whose places lie
  under it (a grid worker reads the vote of the estate their grid covers part of); by residents and volunteers
  at the places where their registry record lives or owns (matched on the verified phone) and above;
- running a vote (changing it) is for community workers and secretaries and district command under their
  places (§8: the community runs the owners' assembly's paperwork, the district oversees);
- a roll entry and its owners (who may vote, and whether they have — never how) are read by the place roles
  under whose places the vote lies (not from below: a grid worker sees the turnout of votes inside their grid
  only) and by the owners an entry names; changed by the vote's runners;
- a ballot is read by nobody until its vote is closed and published, then by whoever reads the vote; nobody
  changes one, platform admins included (only the casting actions write the box);
- platform admins reach the rest; exporting is reading; "pick" is defined for places only, so it is left open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.participation.models_votes import Ballot, Question, RollEntry, RollOwner, Vote
from linli.people.models import Ownership, Person

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
RUNNERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}
TAKING_PART = {Role.RESIDENT, Role.VOLUNTEER}

COUNT_MODELS: dict[str, type[Any]] = {
    "participation.vote": Vote,
    "participation.question": Question,
    "participation.rollentry": RollEntry,
    "participation.rollowner": RollOwner,
    "participation.ballot": Ballot,
}


class CountFacts:
    """Each row's vote place path (and for ballots whether published, for roll rows the owners' phones)."""

    def __init__(self) -> None:
        self.votes: dict[Any, str] = dict(Vote.objects.values_list("pk", "place__path"))
        self.questions: dict[Any, str] = dict(Question.objects.values_list("pk", "vote__place__path"))
        self.entries: dict[Any, str] = dict(RollEntry.objects.values_list("pk", "vote__place__path"))
        self.owners: dict[Any, str] = dict(RollOwner.objects.values_list("pk", "entry__vote__place__path"))
        self.ballots: dict[Any, str] = dict(Ballot.objects.values_list("pk", "vote__place__path"))
        self.published = set(Ballot.objects.filter(vote__state="closed").values_list("pk", flat=True))
        # The phone digests of the persons each roll entry names, and the roll owners of each entry.
        self.entry_phones: dict[Any, set[str]] = {}
        for entry, digest in RollOwner.objects.values_list("entry_id", "person__phone_digest"):
            if digest:
                self.entry_phones.setdefault(entry, set()).add(digest)
        self.owner_entry: dict[Any, Any] = dict(RollOwner.objects.values_list("pk", "entry_id"))
        self.homes: dict[str, set[str]] = {}
        for digest, path in Person.objects.filter(left_on__isnull=True).values_list("phone_digest", "place__path"):
            if digest:
                self.homes.setdefault(digest, set()).add(path)
        owned = Ownership.objects.filter(until__isnull=True).values_list("person__phone_digest", "house__path")
        for digest, path in owned:
            if digest:
                self.homes.setdefault(digest, set()).add(path)


def facts(snap: Any) -> CountFacts:
    if not hasattr(snap, "count_facts"):
        snap.count_facts = CountFacts()
    found: CountFacts = snap.count_facts
    return found


def _paths(hats: list[Any], roles: set[Role]) -> list[str]:
    return [h.path for h in hats if h.role in roles and h.path]


def _under(rows: dict[Any, str], paths: list[str]) -> set[Any]:
    return {pk for pk, path in rows.items() if any(path.startswith(p) for p in paths)}


def _above(rows: dict[Any, str], paths: list[str] | set[str]) -> set[Any]:
    return {pk for pk, path in rows.items() if any(p.startswith(path) for p in paths)}


def _vote_view(f: CountFacts, user: Any, hats: list[Any], rows: dict[Any, str]) -> set[Any]:
    staff = _paths(hats, READERS)
    out = _under(rows, staff) | _above(rows, staff)
    digest = getattr(user, "phone_digest", None)
    if any(h.role in TAKING_PART for h in hats) and digest:
        out |= _above(rows, f.homes.get(digest, set()))
    return out


def count_rule(label: str) -> Callable[..., tuple[set[Any], set[Any]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[Any], set[Any]]:
        f = facts(snap)
        rows = {
            "participation.vote": f.votes,
            "participation.question": f.questions,
            "participation.rollentry": f.entries,
            "participation.rollowner": f.owners,
            "participation.ballot": f.ballots,
        }[label]
        if action == "pick":
            return set(), set(rows)
        admin = any(h.role == Role.PLATFORM_ADMIN for h in hats)
        if label == "participation.ballot":
            if action == "change":
                return set(), set()
            readers = set(rows) if admin else _vote_view(f, user, hats, rows)
            return readers & f.published, set()
        if admin:
            return set(rows), set()
        if action == "change":
            return _under(rows, _paths(hats, RUNNERS)), set()
        if label in ("participation.vote", "participation.question"):
            return _vote_view(f, user, hats, rows), set()
        out = _under(rows, _paths(hats, READERS))
        digest = getattr(user, "phone_digest", None)
        if any(h.role in TAKING_PART for h in hats) and digest:
            if label == "participation.rollentry":
                out |= {pk for pk in rows if digest in f.entry_phones.get(pk, set())}
            else:
                out |= {pk for pk in rows if digest in f.entry_phones.get(f.owner_entry[pk], set())}
        return out, set()

    return rule


COUNT_RULES: dict[str, Any] = {label: count_rule(label) for label in COUNT_MODELS}
