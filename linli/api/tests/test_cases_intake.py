"""`POST /api/v1/cases/`, the small intake endpoint the fault test and the load bench drive: a new case is
201 with its number, a replayed Idempotency-Key is 200 with the same number, bad input is 400 with nothing
stored, and no token is 401."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.api.actions import issue_token
from linli.cases.models import Case

URL = "/api/v1/cases/"
BUILDING = "110101001001001E01B01"


@pytest.fixture
def resident_token(world: Any) -> str:
    grant = Grant.objects.active().get(user=world.users[Role.RESIDENT])
    return issue_token(None, grant, name="intake test", days=30)[1]


def post(token: str | None, data: Any, key: str = "") -> Any:
    headers: dict[str, str] = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    return Client().post(URL, json.dumps(data), content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_submit_then_replay(world: Any, resident_token: str) -> None:
    data = {"body": "楼道灯坏了好几天，晚上看不见路", "place": BUILDING, "consent": True}
    first = post(resident_token, data, key="k-1")
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    case = Case.objects.get(pk=first.json()["id"])
    assert case.number == number and case.channel == "api" and case.reporter == world.users[Role.RESIDENT]
    again = post(resident_token, data, key="k-1")
    assert again.status_code == 200 and again.json()["number"] == number
    assert post(resident_token, data, key="k-2").status_code == 201
    assert Case.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"place": BUILDING, "consent": True}, "body"),
        ({"body": "路灯不亮", "place": "999999", "consent": True}, "place"),
        ({"body": "路灯不亮", "place": BUILDING}, "consent"),
        ({"body": "x" * 10_000, "place": BUILDING, "consent": True}, "body"),
        ({"body": "路灯不亮", "consent": True}, "place"),
        ([1, 2], "body"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(world: Any, resident_token: str, data: Any, field: str) -> None:
    response = post(resident_token, data, key="bad")
    assert response.status_code == 400 and field in response.json()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_no_token_no_case(world: Any) -> None:
    response = post(None, {"body": "路灯不亮", "place": BUILDING, "consent": True})
    assert response.status_code in (401, 403) and not Case.objects.exists()
