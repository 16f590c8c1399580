"""The owners' votes of the matrix world, on the registry's houses (linli/tests/matrix_people.py), made through
the vote actions, with ballots put in the box as the casting actions do:

| vote     | place         | state  | ballots                                |
|----------|---------------|--------|----------------------------------------|
| a_draft  | building 甲   | draft  | —                                      |
| a_open   | building 甲   | open   | one, sealed (not published)            |
| a_closed | estate 甲园   | closed | one, published                         |
| b_open   | building 乙   | open   | one, sealed                            |
| x_closed | building 丙   | closed | one, published                         |

Roll: building 甲's house is owned half by a_adult and half by the developer (one voter: the co-owners);
building 乙's by a_adult alone; building 丙's by x_adult.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.participation.actions import votes
from linli.participation.choices import AGREE, BallotChannel
from linli.participation.models_votes import Ballot, RollEntry, Vote

from .matrix_people import BUILDINGS


def _ballot(vote: Vote) -> None:
    entry = RollEntry.objects.filter(vote=vote).order_by("pk").first()
    assert entry is not None
    RollEntry.objects.filter(pk=entry.pk).update(voted_channel=BallotChannel.ONLINE, voted_at=timezone.now())
    question = vote.questions.order_by("position").first()
    assert question is not None
    Ballot.objects.create(vote=vote, area=entry.area, choices={str(question.pk): AGREE})


def make_votes(world: Any) -> dict[str, Vote]:
    runners = {
        "a": world.users[Role.COMMUNITY_WORKER],
        "b": world.outsiders[Role.COMMUNITY_WORKER],
        "x": world.outsiders[Role.DISTRICT_COMMAND],
    }
    now = timezone.now()
    opens, closes = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=7)
    made: dict[str, Vote] = {}
    for key, side, place_code, state in (
        ("a_draft", "a", BUILDINGS["a"][0], "draft"),
        ("a_open", "a", BUILDINGS["a"][0], "open"),
        ("a_closed", "a", BUILDINGS["a"][0][:-3], "closed"),
        ("b_open", "b", BUILDINGS["b"][0], "open"),
        ("x_closed", "x", BUILDINGS["x"][0], "closed"),
    ):
        vote = votes.create_vote(
            runners[side],
            place=world.places[place_code],
            title=f"矩阵表决{key}",
            questions=[("矩阵议题", "ordinary")],
            opens_at=opens,
            closes_at=closes,
        )
        if state != "draft":
            votes.open_vote(runners[side], vote)
            _ballot(vote)
        if state == "closed":
            votes.close_vote(runners[side], vote, now=closes + datetime.timedelta(minutes=1))
        made[key] = Vote.objects.get(pk=vote.pk)
    return made
