"""The owner's and the staff's pages for casting (issue 19): the ballot with its confirm step and receipt, the
turnout that never shows a choice, the paper desk's three answers, the proxy form, and a result page whose
chart data stays inert."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import SecondFactorClient
from linli.accounts.choices import Role
from linli.participation.actions.ballots import cast_online
from linli.participation.choices import AGREE, OPPOSE, BallotChannel, VoteState
from linli.participation.models_votes import Ballot, RollEntry, RollOwner, Vote

from .cast_world import CastWorld

pytestmark = pytest.mark.django_db
HOSTILE = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def client_for(user: Any) -> SecondFactorClient:
    client = SecondFactorClient()
    client.force_login(user)
    return client


def test_my_votes_lists_the_open_vote_with_a_ballot_link(cast: CastWorld) -> None:
    body = client_for(cast.owner).get(reverse("participation:my_votes")).content.decode()
    assert reverse("participation:ballot_cast", args=[cast.vote.pk, cast.single.pk]) in body
    assert "1-1-101" in body and "1-1-102" not in body
    other = client_for(cast.neighbour).get(reverse("participation:my_votes")).content.decode()
    assert cast.vote.title not in other


def test_ballot_form_confirm_and_receipt(cast: CastWorld) -> None:
    client = client_for(cast.owner)
    url = reverse("participation:ballot_cast", args=[cast.vote.pk, cast.single.pk])
    page = client.get(url).content.decode()
    assert page.count('type="radio"') == 6
    assert "Major matter" in page or "重大事项" in page
    choices = {f"q{q.pk}": AGREE for q in cast.questions}
    review = client.post(url, {**choices, "step": "review"})
    assert review.status_code == 200 and 'id="ballot-confirm"' in review.content.decode()
    assert not Ballot.objects.exists()
    done = client.post(url, {**choices, "step": "confirm"})
    receipt = Ballot.objects.get().receipt
    assert done.status_code == 200 and receipt in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    again = client.post(url, {**choices, "step": "confirm"})
    assert again.status_code == 400 and receipt not in again.content.decode()
    assert Ballot.objects.count() == 1
    # Nobody else reaches this voter's ballot page.
    assert client_for(cast.co_one).get(url).status_code == 404


def test_turnout_shows_who_and_how_never_what(cast: CastWorld) -> None:
    q1, q2 = (str(q.pk) for q in cast.questions)
    cast_online(cast.owner, cast.vote, {q1: OPPOSE, q2: OPPOSE})
    client = client_for(cast.staff())
    url = reverse("participation:turnout", args=[cast.vote.pk])
    body = client.get(url).content.decode()
    assert "张*" in body and "张三" not in body and "李*、王*" in body
    assert OPPOSE not in body and "反对" not in body
    assert re.search(r'id="voted-owners">1 / 3<', body)
    not_voted = client.get(url, {"not_voted": "on"}).content.decode()
    assert "张*" not in not_voted and "李*、王*" in not_voted
    assert client_for(cast.owner).get(url).status_code == 403
    assert client_for(cast.world.outsiders[Role.COMMUNITY_WORKER]).get(url).status_code == 404
    export = client.get(reverse("participation:turnout_export", args=[cast.vote.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_turnout_query_count_does_not_grow_with_the_roll(cast: CastWorld) -> None:
    client = client_for(cast.staff())
    url = reverse("participation:turnout", args=[cast.vote.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(30):
        entry = RollEntry.objects.create(vote=cast.vote, owner_key=f"x:{n}", label=f"周{n}", area=50, houses=[f"9-{n}"])
        RollOwner.objects.create(entry=entry, organisation="")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_paper_desk_answers(cast: CastWorld) -> None:
    url = reverse("participation:paper_entry", args=[cast.vote.pk])
    found = client_for(cast.staff()).get(url, {"q": "张"}).content.decode()
    assert f"?entry={cast.single.pk}" in found
    q1, q2 = (f"q{q.pk}" for q in cast.questions)
    first = client_for(cast.staff()).post(
        url, {"entry": cast.single.pk, q1: AGREE, q2: AGREE, "sheet": "12"}, follow=True
    )
    assert "waiting for a second colleague" in first.content.decode() or "第二位" in first.content.decode()
    same = client_for(cast.staff()).post(url, {"entry": cast.single.pk, q1: AGREE, q2: AGREE})
    assert same.status_code == 400
    differs = client_for(cast.staff(Role.COMMUNITY_SECRETARY)).post(
        url, {"entry": cast.single.pk, q1: AGREE, q2: OPPOSE}, follow=True
    )
    text = differs.content.decode()
    assert "2" in text and ("differ on questions" in text or "不一致" in text)
    assert reverse("participation:paper_resolve", args=[cast.vote.pk]) in text
    settle = reverse("participation:paper_resolve", args=[cast.vote.pk])
    client_for(cast.world.extras["multi"]).post(settle, {"entry": cast.single.pk, q1: AGREE, q2: OPPOSE})
    assert RollEntry.objects.get(pk=cast.single.pk).voted_channel == BallotChannel.PAPER
    online = client_for(cast.owner).post(
        reverse("participation:ballot_cast", args=[cast.vote.pk, cast.single.pk]),
        {q1: AGREE, q2: AGREE, "step": "confirm"},
    )
    assert online.status_code == 400 and (
        "paper ballot" in online.content.decode() or "纸质" in online.content.decode()
    )
    assert client_for(cast.world.users[Role.GRID_WORKER]).get(url).status_code == 403


def test_in_person_shows_the_receipt(cast: CastWorld) -> None:
    url = reverse("participation:in_person", args=[cast.vote.pk])
    q1, q2 = (f"q{q.pk}" for q in cast.questions)
    response = client_for(cast.staff()).post(url, {"entry": cast.developer.pk, q1: AGREE, q2: AGREE})
    assert response.status_code == 200
    assert Ballot.objects.get().receipt in response.content.decode()
    assert RollEntry.objects.get(pk=cast.developer.pk).voted_channel == BallotChannel.IN_PERSON


def test_caster_form(cast: CastWorld) -> None:
    url = reverse("participation:proxy", args=[cast.vote.pk, cast.couple.pk])
    client = client_for(cast.staff())
    assert "李*" in client.get(url).content.decode()
    client.post(url, {"form": "caster", "person": cast.persons["co_two"].pk})
    assert RollEntry.objects.get(pk=cast.couple.pk).caster_id == cast.persons["co_two"].pk


def publish(cast: CastWorld, text: str = "是否更换电梯") -> str:
    q1, q2 = cast.questions
    receipt = cast_online(cast.owner, cast.vote, {str(q1.pk): AGREE, str(q2.pk): OPPOSE})
    option = {"owners": 1, "area": "90.50"}
    none = {"owners": 0, "area": "0.00"}
    result = {
        "vote": cast.vote.pk,
        "title": cast.vote.title,
        "questions": [
            {"id": q1.pk, "text": text, "kind": "ordinary", "options": [HOSTILE, "反对", "弃权"]},
            {"id": q2.pk, "text": "是否使用维修资金", "kind": "major", "options": ["同意", "反对", "弃权"]},
        ],
        "roll": {"owners": 3, "area": "510.50", "digest": "d" * 64},
        "ballots": [{"receipt": receipt, "area": "90.50", "choices": {str(q1.pk): AGREE, str(q2.pk): OPPOSE}}],
        "tally": {
            str(q1.pk): {"participating": option, "by_option": {HOSTILE: option, "反对": none, "弃权": none}},
            str(q2.pk): {"participating": option, "by_option": {"同意": none, "反对": option, "弃权": none}},
        },
        "outcome": {
            str(q1.pk): {"participation_ok": False, "passed": False},
            str(q2.pk): {"participation_ok": False, "passed": False},
        },
        "root": "r" * 64,
    }
    Vote.objects.filter(pk=cast.vote.pk).update(state=VoteState.CLOSED, result=result, result_root="r" * 64)
    return receipt


def test_result_page_with_an_inert_chart_and_the_receipt_check(cast: CastWorld) -> None:
    receipt = publish(cast, text=HOSTILE)
    client = client_for(cast.owner)
    url = reverse("participation:result", args=[cast.vote.pk])
    body = client.get(url).content.decode()
    assert HOSTILE not in body and "<img src=x" not in body
    assert "d" * 64 in body and "r" * 64 in body and receipt in body
    data = re.search(r'<script id="vote-chart-data" type="application/json">(.*?)</script>', body, re.S)
    assert data is not None and "<" not in data.group(1)
    charts = json.loads(data.group(1))
    assert charts["questions"][0]["owners"] == [1, 0, 0] and charts["questions"][0]["options"][0] == HOSTILE
    found = client.get(reverse("participation:receipt_check", args=[cast.vote.pk]), {"receipt": receipt.lower()})
    assert 'id="receipt-found"' in found.content.decode()
    missing = client.get(reverse("participation:receipt_check", args=[cast.vote.pk]), {"receipt": "AAAA-BBBB"})
    assert 'id="receipt-missing"' in missing.content.decode()
    download = client.get(reverse("participation:result_file", args=[cast.vote.pk]))
    assert json.loads(download.content)["root"] == "r" * 64
    assert client_for(cast.world.outsiders[Role.COMMUNITY_WORKER]).get(url).status_code == 404


def test_no_result_page_before_closing(cast: CastWorld) -> None:
    url = reverse("participation:result", args=[cast.vote.pk])
    assert client_for(cast.owner).get(url).status_code == 404


def test_a_registered_proxy_living_elsewhere_votes_online(cast: CastWorld, settings: Any, tmp_path: Any) -> None:
    from linli.participation.actions.ballots import record_proxy

    settings.MEDIA_ROOT = str(tmp_path)
    far = cast.world.places["110101002001001E01"]  # side B's estate: the proxy reads none of side A's votes
    type(cast.persons["neighbour"]).objects.filter(pk=cast.persons["neighbour"].pk).update(place=far)
    record_proxy(cast.staff(), cast.single, name="赵六", person=cast.persons["neighbour"], document=b"%PDF-1.4\n%%EOF")
    client = client_for(cast.neighbour)
    assert f"/{cast.vote.pk}/cast/{cast.single.pk}/" in client.get(reverse("participation:my_votes")).content.decode()
    url = reverse("participation:ballot_cast", args=[cast.vote.pk, cast.single.pk])
    choices = {f"q{q.pk}": AGREE for q in cast.questions}
    assert client.post(url, {**choices, "step": "confirm"}).status_code == 200
    assert RollEntry.objects.get(pk=cast.single.pk).voted_channel == BallotChannel.ONLINE
    assert client_for(cast.owner).get(url).status_code == 404  # the owner gave their vote to the proxy
