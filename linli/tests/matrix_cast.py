"""Owners' votes with something to probe for casting (issue 19): an open vote on each side's estate and in the
second district, each with a roll naming the registry's owners (linli/tests/matrix_people.py) and a paper
ballot's first entry typed by that side's community worker (or district command in 西城区), plus a closed
vote on side A with a published result. Built through the ORM: the roll freezing and the lifecycle are the
count's part, and the matrix must not depend on them to probe these rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.participation.choices import AGREE, VoteState
from linli.participation.models_votes import PaperEntry, Question, RollEntry, RollOwner, Vote

ESTATES = {"a": "110101001001001E01", "b": "110101002001001E01", "x": "110102001001001E01"}
OWNERS = {"a": "a_adult", "b": "b_adult", "x": "x_adult"}


@dataclass
class Cast:
    votes: dict[str, Vote] = field(default_factory=dict)
    entries: dict[str, RollEntry] = field(default_factory=dict)
    paper: dict[str, PaperEntry] = field(default_factory=dict)


def make_cast(world: Any) -> Cast:
    now = timezone.now()
    made = Cast()
    clerks = {
        "a": world.users[Role.COMMUNITY_WORKER],
        "b": world.outsiders[Role.COMMUNITY_WORKER],
        "x": world.outsiders[Role.DISTRICT_COMMAND],
    }
    for side, code in ESTATES.items():
        vote = Vote.objects.create(
            title=f"矩阵表决{side}",
            place=world.places[code],
            state=VoteState.OPEN,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=2),
            opened_at=now - timedelta(hours=1),
        )
        question = Question.objects.create(vote=vote, position=1, text=f"矩阵议题{side}")
        owner = world.people[OWNERS[side]]
        entry = RollEntry.objects.create(
            vote=vote, owner_key=f"p:{owner.pk}", label=owner.name, area=Decimal("80.00"), houses=[f"矩阵{side}户"]
        )
        RollOwner.objects.create(entry=entry, person=owner)
        made.votes[side], made.entries[side] = vote, entry
        made.paper[side] = PaperEntry.objects.create(
            vote=vote, entry=entry, sheet=f"矩阵{side}", choices={str(question.pk): AGREE}, entered_by=clerks[side]
        )
    closed = Vote.objects.create(
        title="矩阵已结表决",
        place=world.places[ESTATES["a"]],
        state=VoteState.CLOSED,
        opens_at=now - timedelta(days=5),
        closes_at=now - timedelta(days=1),
        closed_at=now - timedelta(days=1),
        result={
            "vote": 0,
            "title": "矩阵已结表决",
            "questions": [],
            "roll": {"owners": 0, "area": "0", "digest": ""},
            "ballots": [],
            "tally": {},
            "outcome": {},
            "root": "",
        },
    )
    made.votes["closed"] = closed
    return made
