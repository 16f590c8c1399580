"""Helpers for the vote tests: a vote on building A opened with its roll, and ballots put in the box the way
the casting actions do (a ballot with the voter's area; the roll entry marked as voted, never how)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linli.participation.actions import votes
from linli.participation.choices import AGREE, BallotChannel
from linli.participation.models_votes import Ballot, RollEntry, Vote

NOW = timezone.now()


def window(days: int = 7) -> tuple[datetime.datetime, datetime.datetime]:
    return timezone.now() - datetime.timedelta(hours=1), timezone.now() + datetime.timedelta(days=days)


def make_vote(actor: Any, place: Any, kinds: tuple[str, ...] = ("ordinary",), title: str = "更换电梯") -> Vote:
    opens, closes = window()
    questions = [(f"第{i}项：是否同意？", kind) for i, kind in enumerate(kinds, start=1)]
    return votes.create_vote(
        actor, place=place, title=title, description="", opens_at=opens, closes_at=closes, questions=questions
    )


def cast(vote: Vote, entry: RollEntry, choice: str | dict[str, str] = AGREE) -> Ballot:
    questions = [str(pk) for pk in vote.questions.values_list("pk", flat=True)]
    choices = choice if isinstance(choice, dict) else {q: choice for q in questions}
    RollEntry.objects.filter(pk=entry.pk).update(voted_channel=BallotChannel.ONLINE, voted_at=timezone.now())
    return Ballot.objects.create(vote=vote, area=entry.area, choices=choices)


def close_now(actor: Any, vote: Vote) -> Vote:
    return votes.close_vote(actor, vote, now=vote.closes_at + datetime.timedelta(minutes=1))
