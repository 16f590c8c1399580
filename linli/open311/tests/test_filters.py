"""GET requests: the spec's filters, date ranges, default 90-day window and 1000 cap; the updates extension."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from linli.cases import actions
from linli.cases.models import Case, CaseEvent
from linli.orgs.models import Matter

from .conftest import BASE, case_of, good_form, parse, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(client, world, matter, api_key) -> dict[str, Any]:
    """Four of the client's requests: two of one matter, one answered, one submitted 100 days ago."""
    other = Matter.objects.create(code="M01002", name="私搭乱建", category="城乡建设", owner_level="street")
    made = {}
    for name, code in (("fresh", matter.code), ("answered", matter.code), ("other", other.code), ("old", matter.code)):
        number = post(client, good_form(api_key, code, description=f"第{name}件")).json()[0]["service_request_id"]
        made[name] = case_of(number)
    dispatcher = world.users["street_dispatcher"]
    case = actions.dispatch_case(dispatcher, made["answered"], unit=world.units["street_a"])
    case = actions.accept(dispatcher, case)
    actions.add_note(dispatcher, case, note="内部记录：住户电话13900001111", public=False)
    actions.add_note(dispatcher, case, note="已安排保洁", public=True)
    actions.resolve(dispatcher, case, answer="已清理")
    old = timezone.now() - timedelta(days=100)
    Case.objects.filter(pk=made["old"].pk).update(created_at=old)
    CaseEvent.objects.filter(case=made["old"]).update(at=old)
    return {k: Case.objects.get(pk=v.pk).number for k, v in made.items()}


def ids(client, api_key, **query) -> list[str]:
    response = client.get(f"{BASE}requests.json", {"api_key": api_key, **query})
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_filters(client, api_key, requests):
    r = requests
    assert ids(client, api_key) == [r["other"], r["answered"], r["fresh"]]  # newest first, last 90 days
    assert ids(client, api_key, status="closed") == [r["answered"]]
    assert ids(client, api_key, status="open") == [r["other"], r["fresh"]]
    assert ids(client, api_key, status="open,closed") == ids(client, api_key, status="")
    assert ids(client, api_key, service_code="M01002") == [r["other"]]
    assert ids(client, api_key, service_code="M01002,M01001") == [r["other"], r["answered"], r["fresh"]]
    start = (timezone.now() - timedelta(days=120)).isoformat()
    assert ids(client, api_key, start_date=start) == [r["old"]]  # start given: 90 days from it
    end = (timezone.now() - timedelta(days=99)).strftime("%Y-%m-%d")
    assert ids(client, api_key, end_date=end) == [r["old"]]  # a bare date: through that whole day
    # An offset sent unencoded arrives as a space, and still reads as the offset it was.
    now = timezone.localtime()
    spaced = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S 08:00")
    assert ids(client, api_key, start_date=spaced) == [r["other"], r["answered"], r["fresh"]]
    # A list of ids overrides every other argument, and keeps its order.
    listed = ids(client, api_key, service_request_id=f"{r['old']},{r['fresh']},999", status="closed")
    assert listed == [r["old"], r["fresh"]]
    assert ids(client, api_key, page_size="2") == [r["other"], r["answered"]]
    assert ids(client, api_key, page_size="2", page="2") == [r["fresh"]]


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},  # more than 90 days
        {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"},  # backwards
        {"status": "pending"},
        {"page_size": "1001"},
        {"page": "0"},
    ],
)
def test_bad_queries_are_400_in_the_specs_format(client, api_key, query):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}requests.{fmt}", query)
        assert response.status_code == 400
        if fmt == "json":
            assert response.json()[0]["code"] == 400
        else:
            assert parse(response.content).findtext("error/code") == "400"
    assert client.get(f"{BASE}servicerequestupdates.json", query).status_code in {200, 400}


def test_updates_extension_lists_public_steps_only(client, api_key, requests):
    answered = requests["answered"]
    data = client.get(f"{BASE}servicerequestupdates.json").json()  # no key: the board's requests only
    assert {u["service_request_id"] for u in data} == {answered}
    # Newest first.
    assert [u["status"] for u in data] == ["FIXED", "IN_PROGRESS", "IN_PROGRESS", "ACTION_SCHEDULED", "OPEN"]
    assert "已安排保洁" in data[1]["description"] and "13900001111" not in str(data)
    keyed = client.get(f"{BASE}servicerequestupdates.json", {"api_key": api_key}).json()
    assert {u["service_request_id"] for u in keyed} == {answered, requests["fresh"], requests["other"]}
    start = (timezone.now() - timedelta(days=120)).isoformat()
    end = (timezone.now() - timedelta(days=90)).isoformat()
    ranged = client.get(f"{BASE}servicerequestupdates.json", {"api_key": api_key, "start_date": start, "end_date": end})
    assert {u["service_request_id"] for u in ranged.json()} == {requests["old"]}
    root = parse(client.get(f"{BASE}servicerequestupdates.xml").content)
    assert root.tag == "service_request_updates"
    assert root.find("request_update/update_id") is not None and root.findtext("request_update/status") == "FIXED"


def test_a_bare_end_date_runs_through_its_whole_local_day() -> None:
    """Whatever the hour the suite runs at: Python's fromisoformat reads a bare date as its midnight, which
    made end_date stop at the start of its day (the filter test failed from 00:00 to 08:00 Beijing time)."""
    import datetime

    from linli.open311.params import parse_when

    beijing = datetime.timezone(datetime.timedelta(hours=8))
    assert parse_when("end_date", "2026-08-24", end=True) == datetime.datetime(2026, 8, 25, tzinfo=beijing)
    assert parse_when("start_date", "2026-08-24") == datetime.datetime(2026, 8, 24, tzinfo=beijing)
    assert parse_when("end_date", "2026-08-24T10:00:00+08:00", end=True) == datetime.datetime(
        2026, 8, 24, 10, tzinfo=beijing
    )
