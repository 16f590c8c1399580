"""The staff pages that run a vote: list (query count flat in the number of votes), create form, detail with
the roll, and the open / close / cancel buttons with their refusals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import SecondFactorClient
from linli.accounts.choices import Role
from linli.participation.actions import votes
from linli.participation.choices import VoteState
from linli.participation.models_votes import Question, Vote

from .votes import make_vote

pytestmark = pytest.mark.django_db


def _client(user: Any) -> SecondFactorClient:
    client = SecondFactorClient()
    client.force_login(user)
    return client


def _list_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("participation:vote_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_reads_in_a_fixed_number_of_queries(runner: Any, estate: Any) -> None:
    client = _client(runner)
    make_vote(runner, estate.building)
    _list_queries(client)  # warm the session and the scope
    few = _list_queries(client)
    for n in range(6):
        make_vote(runner, estate.building, ("ordinary", "major"), title=f"表决{n}")
    assert _list_queries(client) == few


def test_the_list_shows_votes_in_scope_only(runner: Any, estate: Any, world: Any) -> None:
    make_vote(runner, estate.building, title="甲楼表决")
    assert "甲楼表决" in _client(world.users[Role.GRID_WORKER]).get(reverse("participation:vote_list")).content.decode()
    outsider = _client(world.outsiders[Role.COMMUNITY_WORKER]).get(reverse("participation:vote_list"))
    assert "甲楼表决" not in outsider.content.decode()
    assert _client(world.users[Role.RESIDENT]).get(reverse("participation:vote_list")).status_code == 403


def test_create_open_and_cancel_through_the_pages(runner: Any, estate: Any) -> None:
    client = _client(runner)
    assert client.get(reverse("participation:vote_create")).status_code == 200
    start = timezone.localtime() + datetime.timedelta(minutes=5)
    form = {
        "place": estate.building.pk,
        "title": "加装电梯",
        "description": "<b>说明</b>",
        "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (start + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "question_1": "是否同意加装电梯？",
        "kind_1": "major",
        "question_2": "",
        "kind_2": "ordinary",
        **{f"kind_{n}": "ordinary" for n in range(3, 7)},
    }
    response = client.post(reverse("participation:vote_create"), form)
    assert response.status_code == 200 and 'id="vote-errors"' in response.content.decode(), response.context[
        "form"
    ].errors
    assert not Vote.objects.exists()
    form["description"] = "说明"
    response = client.post(reverse("participation:vote_create"), form)
    assert response.status_code == 302
    vote = Vote.objects.get(title="加装电梯")
    assert list(Question.objects.filter(vote=vote).values_list("kind", flat=True)) == ["major"]
    response = client.post(reverse("participation:vote_open", args=[vote.pk]), follow=True)
    page = response.content.decode()
    assert "vote-roll-digest" in page and "1单元 302室" in page  # the roll, and the houses it left out
    assert "王**" in page and "王小明" not in page
    vote.refresh_from_db()
    assert vote.state == VoteState.OPEN and vote.roll_digest in page
    response = client.post(reverse("participation:vote_close", args=[vote.pk]), follow=True)
    assert response.status_code == 200
    vote.refresh_from_db()
    assert vote.state == VoteState.OPEN  # the window has not ended: refused with a message
    client.post(reverse("participation:vote_cancel", args=[vote.pk]), {"reason": "改期"})
    vote.refresh_from_db()
    assert vote.state == VoteState.CANCELLED


def test_others_cannot_run_or_read_it(runner: Any, estate: Any, world: Any) -> None:
    vote = make_vote(runner, estate.building)
    grid = _client(world.users[Role.GRID_WORKER])
    assert grid.get(reverse("participation:vote_detail", args=[vote.pk])).status_code == 200
    assert grid.post(reverse("participation:vote_open", args=[vote.pk])).status_code == 403
    assert grid.get(reverse("participation:vote_create")).status_code == 403
    outsider = _client(world.outsiders[Role.COMMUNITY_WORKER])
    assert outsider.get(reverse("participation:vote_detail", args=[vote.pk])).status_code == 404
    assert outsider.post(reverse("participation:vote_open", args=[vote.pk])).status_code == 404
    votes.open_vote(runner, vote)
    assert _client(runner).get(reverse("participation:vote_open", args=[vote.pk])).status_code == 405
