"""The vote's lifecycle: who may run it, the transitions, the refusals, the closing job and its idempotence."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.models import AuditEvent
from linli.participation.actions import votes
from linli.participation.choices import AGREE, VoteState
from linli.participation.models_votes import Question, RollEntry, Vote

from .conftest import BUILDING_B
from .votes import cast, close_now, make_vote, window

pytestmark = pytest.mark.django_db


def test_create_checks_place_scope_window_and_questions(runner: Any, estate: Any, world: Any) -> None:
    opens, closes = window()
    base: dict[str, Any] = {"title": "t", "opens_at": opens, "closes_at": closes, "questions": [("q", "ordinary")]}
    with pytest.raises(ValidationError, match="estate or a building"):
        votes.create_vote(runner, place=world.places["110101001001"], **base)
    with pytest.raises(PermissionDenied):
        votes.create_vote(runner, place=world.places[BUILDING_B], **base)
    with pytest.raises(PermissionDenied):
        votes.create_vote(world.users[Role.GRID_WORKER], place=estate.building, **base)
    with pytest.raises(ValidationError, match="close after it opens"):
        votes.create_vote(runner, place=estate.building, **{**base, "closes_at": opens})
    with pytest.raises(ValidationError, match="at least one question"):
        votes.create_vote(runner, place=estate.building, **{**base, "questions": [("  ", "major")]})
    with pytest.raises(ValidationError, match="ordinary or major"):
        votes.create_vote(runner, place=estate.building, **{**base, "questions": [("q", "huge")]})
    vote = votes.create_vote(
        runner, place=estate.building, **{**base, "questions": [("一", "ordinary"), ("二", "major")]}
    )
    assert vote.state == VoteState.DRAFT
    assert list(vote.questions.values_list("position", "text", "kind")) == [(1, "一", "ordinary"), (2, "二", "major")]
    assert AuditEvent.objects.filter(action="vote.created", target_id=str(vote.pk)).exists()


def test_district_command_runs_votes_too(estate: Any, world: Any) -> None:
    vote = make_vote(world.users[Role.DISTRICT_COMMAND], estate.building)
    assert vote.pk
    with pytest.raises(PermissionDenied):
        make_vote(world.outsiders[Role.DISTRICT_COMMAND], estate.building)


def test_update_draft_replaces_questions_and_stops_once_open(runner: Any, estate: Any) -> None:
    vote = make_vote(runner, estate.building, ("ordinary", "ordinary"))
    opens, closes = window(3)
    votes.update_draft(
        runner, vote, title="新标题", opens_at=opens, closes_at=closes, questions=[("只剩一项", "major")]
    )
    vote.refresh_from_db()
    assert vote.title == "新标题" and list(vote.questions.values_list("text", "kind")) == [("只剩一项", "major")]
    votes.open_vote(runner, vote)
    with pytest.raises(ValidationError, match="Only a draft"):
        votes.update_draft(runner, vote, title="x", opens_at=opens, closes_at=closes, questions=[("q", "major")])


def test_open_freezes_the_roll_once(runner: Any, estate: Any) -> None:
    vote = make_vote(runner, estate.building)
    votes.open_vote(runner, vote)
    vote.refresh_from_db()
    assert vote.state == VoteState.OPEN and vote.opened_at and vote.roll_owners == 3 and len(vote.roll_digest) == 64
    with pytest.raises(ValidationError, match="Only a draft vote can be opened"):
        votes.open_vote(runner, vote)
    assert RollEntry.objects.filter(vote=vote).count() == 3
    event = AuditEvent.objects.get(action="vote.opened", target_id=str(vote.pk))
    assert event.data["roll_digest"] == vote.roll_digest and event.data["skipped_no_owner"] == 2


def test_open_refuses_an_empty_roll_and_stays_a_draft(runner: Any, world: Any, estate: Any) -> None:
    from linli.places.actions import create_place

    from .conftest import add_house

    building = create_place(
        world.admin,
        code="110101001001001E01B09",
        name="9号楼",
        level="building",
        parent=world.places["110101001001001E01"],
    )
    add_house(world.admin, building, "101", "50.00")  # a house with no owner: nobody to vote
    vote = make_vote(runner, building)
    with pytest.raises(ValidationError, match="No owner with a registered area"):
        votes.open_vote(runner, vote)
    vote.refresh_from_db()
    assert vote.state == VoteState.DRAFT and not RollEntry.objects.filter(vote=vote).exists()


def test_open_refuses_after_the_window(runner: Any, estate: Any) -> None:
    vote = make_vote(runner, estate.building)
    later = vote.closes_at + datetime.timedelta(seconds=1)
    with pytest.raises(ValidationError, match="already ended"):
        votes.open_vote(runner, vote, now=later)


def test_close_counts_publishes_and_calls_the_topic_hook(runner: Any, estate: Any, monkeypatch: Any) -> None:
    called: list[int] = []
    monkeypatch.setattr(votes.topics, "vote_closed", lambda vote: called.append(vote.pk))
    vote = make_vote(runner, estate.building)
    with pytest.raises(ValidationError, match="Only an open vote"):
        close_now(runner, vote)
    votes.open_vote(runner, vote)
    for entry in RollEntry.objects.filter(vote=vote):
        cast(vote, entry, AGREE)
    with pytest.raises(ValidationError, match="has not ended yet"):
        votes.close_vote(runner, vote)
    close_now(runner, vote)
    vote.refresh_from_db()
    assert vote.state == VoteState.CLOSED and vote.closed_at
    assert vote.result and vote.result_root == vote.result["root"]
    question = str(Question.objects.get(vote=vote).pk)
    assert vote.result["outcome"][question] == {"participation_ok": True, "passed": True}
    assert called == [vote.pk]
    event = AuditEvent.objects.get(action="vote.closed", target_id=str(vote.pk))
    assert AGREE not in str(event.data)  # no choice ever reaches the audit trail
    with pytest.raises(ValidationError, match="Only an open vote"):
        close_now(runner, vote)


def test_outsiders_cannot_open_close_or_cancel(runner: Any, estate: Any, world: Any) -> None:
    vote = make_vote(runner, estate.building)
    outsider = world.outsiders[Role.COMMUNITY_WORKER]
    for attempt in (
        lambda: votes.open_vote(outsider, vote),
        lambda: close_now(outsider, vote),
        lambda: votes.cancel_vote(outsider, vote, "x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_cancel(runner: Any, estate: Any) -> None:
    vote = make_vote(runner, estate.building)
    with pytest.raises(ValidationError, match="Say why"):
        votes.cancel_vote(runner, vote, "  ")
    votes.cancel_vote(runner, vote, "业委会改期")
    vote.refresh_from_db()
    assert vote.state == VoteState.CANCELLED
    with pytest.raises(ValidationError, match="cannot be cancelled"):
        votes.cancel_vote(runner, vote, "again")
    with pytest.raises(ValidationError, match="Only a draft vote can be opened"):
        votes.open_vote(runner, vote)


def test_the_closing_job_closes_due_votes_once(runner: Any, estate: Any, world: Any) -> None:
    due = make_vote(runner, estate.building, title="到期")
    not_due = make_vote(runner, estate.building, title="未到期")
    draft = make_vote(runner, estate.building, title="草稿")
    for vote in (due, not_due):
        votes.open_vote(runner, vote)
    Vote.objects.filter(pk__in=[due.pk, draft.pk]).update(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert votes.close_due_votes() == 1
    assert votes.close_due_votes() == 0  # idempotent
    states = dict(Vote.objects.values_list("pk", "state"))
    assert (states[due.pk], states[not_due.pk], states[draft.pk]) == ("closed", "open", "draft")
    event = AuditEvent.objects.get(action="vote.closed", target_id=str(due.pk))
    assert event.actor_id is None


def test_the_closing_job_is_registered() -> None:
    from linli.core.schedule import jobs

    assert jobs()["participation.close_votes"].task.module_path.endswith("close_due_votes")
