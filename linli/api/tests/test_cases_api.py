"""The cases API: submit with an idempotency key, scoped lists and reads, and the closed loop driven through
one POST per step, with refusals as 403 and bad input as 400 carrying the action's messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.api.actions import issue_token
from linli.cases.models import Case
from linli.cases.timeline import verify_case

pytestmark = pytest.mark.django_db
CASES = "/api/v1/cases/"
BUILDING_A = "110101001001001E01B01"


def as_user(user: Any) -> Client:
    from conftest import SecondFactorClient

    client = SecondFactorClient()
    client.force_login(user)
    return client


@pytest.fixture
def who(world) -> dict[str, Client]:
    u = world.users
    return {
        "resident": as_user(u[Role.RESIDENT]),
        "other_resident": as_user(world.outsiders[Role.RESIDENT]),
        "dispatcher": as_user(u[Role.STREET_DISPATCHER]),
        "handler": as_user(u[Role.DEPARTMENT_HANDLER]),
        "other_handler": as_user(world.outsiders[Role.DEPARTMENT_HANDLER]),
        "district": as_user(u[Role.DISTRICT_COMMAND]),
        "grid": as_user(u[Role.GRID_WORKER]),
    }


def post(client: Client, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
    return client.post(url, body or {}, content_type="application/json", headers=headers)


def submit(client: Client, **extra: Any) -> Any:
    body = {"body": "小区门口路面脏乱，垃圾堆放多日无人清理", "place": BUILDING_A, "consent": True, **extra}
    return post(client, CASES, body)


def step(client: Client, number: str, name: str, body: dict[str, Any] | None = None, status: int = 200) -> dict:
    response = post(client, f"{CASES}{number}/{name}/", body)
    assert response.status_code == status, (name, response.status_code, response.content.decode())
    return response.json()


def test_submit_is_idempotent_and_bad_input_stores_nothing(who, world):
    first = post(
        who["resident"], CASES, {"body": "路灯不亮", "place": BUILDING_A, "consent": True}, **{"Idempotency-Key": "k1"}
    )
    assert first.status_code == 201
    number = first.json()["number"]
    again = post(
        who["resident"], CASES, {"body": "路灯不亮", "place": BUILDING_A, "consent": True}, **{"Idempotency-Key": "k1"}
    )
    assert again.status_code == 200 and again.json()["number"] == number
    for bad in (
        {"body": "", "place": BUILDING_A, "consent": True},
        {"body": "<script>alert(1)</script>", "place": BUILDING_A, "consent": True},
        {"body": "x" * 5001, "place": BUILDING_A, "consent": True},
        {"body": "路灯不亮", "consent": True},  # nowhere
        {"body": "路灯不亮", "longitude": 10, "latitude": 10, "consent": True},  # outside every grid
        {"body": "路灯不亮", "place": "NOPE", "consent": True},
        {"body": "路灯不亮", "place": BUILDING_A},  # no consent
        {"body": "路灯不亮", "place": BUILDING_A, "consent": True, "photos": ["not base64!"]},
        {"body": "路灯不亮", "place": BUILDING_A, "consent": True, "channel": "hotline"},  # not an operator
    ):
        response = post(who["resident"], CASES, bad)
        assert response.status_code in {400, 403} and response.json(), (bad, response.content)
    long_key = post(
        who["resident"],
        CASES,
        {"body": "路灯不亮", "place": BUILDING_A, "consent": True},
        **{"Idempotency-Key": "k" * 121},
    )
    assert long_key.status_code == 400
    assert Case.objects.count() == 1


def test_a_token_submits_as_its_client(world):
    grant = Grant.objects.get(user=world.users[Role.RESIDENT])
    token, secret = issue_token(None, grant, name="app", days=5)
    response = Client().post(
        CASES,
        {"body": "楼道灯坏了", "place": BUILDING_A, "consent": True},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.api_client == token and case.reporter == world.users[Role.RESIDENT] and case.channel == "api"


def test_lists_and_reads_are_scoped(who, world):
    number = submit(who["resident"], reporter_phone="13912345678", reporter_name="王小明").json()["number"]
    assert [c["number"] for c in who["resident"].get(CASES).json()["results"]] == [number]
    assert who["other_resident"].get(CASES).json()["results"] == []
    assert who["other_resident"].get(f"{CASES}{number}/").status_code == 404
    assert who["handler"].get(f"{CASES}{number}/").status_code == 404  # not given to its unit yet
    seen = who["dispatcher"].get(f"{CASES}{number}/").json()
    assert seen["reporter_phone"] == "139****5678" and seen["reporter_name"] == "王**"
    assert who["dispatcher"].get(CASES, {"place": "110101001001", "state": "submitted"}).json()["count"] == 1
    assert who["dispatcher"].get(CASES, {"place": "110101002001"}).json()["count"] == 0
    assert who["dispatcher"].get(CASES, {"q": "垃圾", "overdue": "false"}).json()["count"] == 1
    step(who["dispatcher"], number, "dispatch", {"unit": "DA"})
    assert who["handler"].get(CASES, {"unit": "DA"}).json()["count"] == 1
    assert who["other_handler"].get(f"{CASES}{number}/").status_code == 404
    assert who["dispatcher"].get(f"{CASES}000000000000000000/").status_code == 404


def test_the_loop_through_the_api(who, world):
    number = submit(who["resident"]).json()["number"]
    refused = post(who["handler"], f"{CASES}{number}/dispatch/", {"unit": "DA"})
    assert refused.status_code == 404  # the handler cannot see a case not given to its unit
    wrong_unit = post(who["dispatcher"], f"{CASES}{number}/dispatch/", {"unit": "XD"})  # another district's unit
    assert wrong_unit.status_code == 400 and "unit" in wrong_unit.json()
    step(who["dispatcher"], number, "dispatch", {"unit": "DA", "note": "城管职责"})
    early = step(who["handler"], number, "resolve", {"answer": "已处理"}, status=400)
    assert early["detail"]  # resolve before accept: the state table's message
    assert step(who["other_handler"], number, "accept", status=404)
    step(who["handler"], number, "return", {"reason": "not_our_duty", "explanation": "属于物业管理范围"})
    review = step(who["dispatcher"], number, "review-return", {"uphold": True, "unit": "SA", "note": "街道兜底"})
    assert review["state"] == "dispatched" and review["lead_unit"]["code"] == "SA"
    assert review["returns"][0]["outcome"] == "upheld" and review["returns"][0]["final_unit"]["code"] == "SA"
    step(who["dispatcher"], number, "accept")
    step(who["dispatcher"], number, "contact", {"note": "已电话联系居民"})
    step(who["dispatcher"], number, "note", {"note": "内部：等待环卫车", "public": False})
    step(who["dispatcher"], number, "note", {"note": "已安排清运", "public": True})
    step(who["dispatcher"], number, "resolve", {"answer": "已安排清理"})
    assert step(who["other_resident"], number, "rate", {"rating": "satisfied", "resolved": True}, status=404)
    assert step(who["dispatcher"], number, "rate", {"rating": "satisfied", "resolved": True}, status=403)["detail"]
    reopened = step(
        who["resident"], number, "rate", {"rating": "unsatisfied", "resolved": False, "comment": "没扫干净"}
    )
    assert reopened["state"] == "accepted" and reopened["reopen_count"] == 1
    step(who["dispatcher"], number, "resolve", {"answer": "已再次清理"})
    closed = step(who["resident"], number, "rate", {"rating": "satisfied", "resolved": True})
    assert closed["state"] == "closed"
    kinds = [e["kind"] for e in closed["timeline"]]
    assert "note" in kinds and "returned" not in kinds  # the reporter sees the public steps only
    assert all(e["payload"].get("public", True) for e in closed["timeline"])
    full = who["dispatcher"].get(f"{CASES}{number}/").json()["timeline"]
    assert [e["seq"] for e in full] == list(range(1, len(full) + 1)) and "returned" in [e["kind"] for e in full]
    assert verify_case(Case.objects.get()) is None


def test_whistle_approval_escalation(who, world):
    number = submit(who["resident"]).json()["number"]
    step(who["dispatcher"], number, "dispatch", {"unit": "SA"})
    step(who["dispatcher"], number, "accept")
    blown = step(who["dispatcher"], number, "whistle", {"units": ["DA"], "note": "联合处置"})
    assert blown["whistle_calls"][0]["unit"]["code"] == "DA"
    assert step(who["other_handler"], number, "whistle-report", {"note": "x"}, status=404)
    reported = step(who["handler"], number, "whistle-report", {"note": "已到场"})
    assert reported["whistle_calls"][0]["reported_at"] and not reported["whistle_calls"][0]["late"]
    assert "call_id" in step(who["handler"], number, "whistle-report", {}, status=400)
    step(who["dispatcher"], number, "request-approval", {"kind": "extension", "working_days": 3, "reason": "需协调"})
    assert step(who["dispatcher"], number, "decide-approval", {"approve": True}, status=403)["detail"]
    decided = step(who["district"], number, "decide-approval", {"approve": True})
    assert decided["extension_count"] == 1 and decided["approvals"][0]["state"] == "approved"
    step(who["dispatcher"], number, "request-approval", {"kind": "suspension", "reason": "等待法院判决"})
    assert step(who["district"], number, "decide-approval", {"approve": True})["state"] == "suspended"
    assert step(who["dispatcher"], number, "resume")["state"] == "accepted"
    escalated = step(who["dispatcher"], number, "escalate", {"why": "超出街道处置能力"})
    assert escalated["lead_unit"]["code"] == "CMD" and escalated["state"] == "dispatched"


def test_merge_invalidate_verify(who, world):
    from linli.orgs.models import Matter

    first = submit(who["resident"]).json()["number"]
    second = submit(who["other_resident"], body="门口垃圾很多没人清理").json()["number"]
    merged = step(who["dispatcher"], second, "merge", {"into": first})
    assert merged["state"] == "merged" and merged["merged_into"] == first
    assert "into" in step(who["dispatcher"], first, "merge", {"into": "209901010000099999"}, status=400)
    third = submit(who["resident"], body="测试一下").json()["number"]
    invalid = step(who["dispatcher"], third, "invalidate", {"reason": "test", "explanation": "测试数据"})
    assert invalid["state"] == "invalid"
    Matter.objects.create(code="M01001", name="道路不洁", category="城乡建设", owner_level="street", case_type="事件")
    fourth = submit(who["resident"], matter="M01001").json()["number"]
    step(who["dispatcher"], fourth, "dispatch", {"unit": "SA"})
    step(who["dispatcher"], fourth, "accept")
    step(who["dispatcher"], fourth, "resolve", {"answer": "已清扫"})
    assert step(who["resident"], fourth, "rate", {"rating": "satisfied", "resolved": True}, status=400)["detail"]
    assert step(who["grid"], fourth, "verify", {"passed": True, "note": "现场已干净"})["state"] == "verified"
    assert step(who["resident"], fourth, "rate", {"rating": "basic", "resolved": True})["state"] == "closed"


def test_bodies_are_checked_before_any_action(who):
    number = submit(who["resident"]).json()["number"]
    assert "unit" in step(who["dispatcher"], number, "dispatch", {}, status=400)
    assert "reason" in step(
        who["dispatcher"], number, "invalidate", {"reason": "bored", "explanation": "x"}, status=400
    )
    assert "into" in step(who["dispatcher"], number, "merge", {"into": "12"}, status=400)
    assert Case.objects.get().event_count == 1
