"""POST and GET of service requests: committed and numbered, read back by id and token, never personal."""

from __future__ import annotations

from typing import Any

import pytest

from linli.cases import actions
from linli.cases.models import Case

from .conftest import BASE, case_of, good_form, parse, post

pytestmark = pytest.mark.django_db


def test_keyed_post_is_stored_and_read_back_by_id_and_token(client, world, matter, api_key):
    form = good_form(
        api_key,
        matter.code,
        description="路面脏乱，请联系我13912345678，邮箱 li.si@example.com",
        first_name="四",
        last_name="李",
        phone="13912345678",
        email="li.si@example.com",
        media_url="http://example.com/x.jpg",
    )
    response = post(client, form, headers={"Idempotency-Key": "client-0001"})
    assert response.status_code == 201 and response["Content-Type"] == "application/json; charset=utf-8"
    (answer,) = response.json()
    number = answer["service_request_id"]
    case = Case.objects.get()
    assert number == case.number and case.channel == "api" and case.matter == matter
    assert case.reporter_name == "李四" and case.reporter_phone == "13912345678"
    assert case.reporter == world.users["resident"] and case.api_client is not None
    # The same key again: the same request, not a second one.
    again = post(client, form, headers={"Idempotency-Key": "client-0001"})
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == number
    assert Case.objects.count() == 1
    # By id (with the key: it is the client's own request, not yet on the public board) and by token.
    (seen,) = client.get(f"{BASE}requests/{number}.json", {"api_key": api_key}).json()
    assert seen["service_request_id"] == number and seen["status"] == "open" and seen["service_code"] == matter.code
    assert seen["lat"] == 39.9 and seen["address_id"] == "110101001001001"
    assert client.get(f"{BASE}requests/{number}.json").status_code == 404  # not public while open
    token = client.get(f"{BASE}tokens/client-0001.json", {"api_key": api_key}).json()
    assert token == [{"service_request_id": number, "token": "client-0001"}]
    xml = parse(client.get(f"{BASE}tokens/client-0001.xml", {"api_key": api_key}).content)
    assert xml.tag == "service_requests" and xml.findtext("request/service_request_id") == number
    # Nothing personal in any GET, whichever format and with the extensions.
    for url in (f"requests/{number}.json", f"requests/{number}.xml", "requests.json", "requests.xml"):
        text = client.get(f"{BASE}{url}", {"api_key": api_key, "extensions": "true"}).content.decode()
        assert number in text
        for secret in ("13912345678", "李四", "li.si@example.com", "example.com/x.jpg"):
            assert secret not in text, (url, secret)
    assert "139****5678" in text


def test_client_request_id_attribute_is_an_idempotency_key_and_a_token(client, matter, api_key, other_key):
    form = good_form(api_key, matter.code, **{"attribute[client_request_id]": "abc-1"})
    first = post(client, form, fmt="xml")
    assert first.status_code == 201 and first["Content-Type"] == "text/xml; charset=utf-8"
    assert first.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    number = parse(first.content).findtext("request/service_request_id")
    assert post(client, form).json()[0]["service_request_id"] == number
    # Tokens are per client: another client's key does not find it; no key is refused.
    assert client.get(f"{BASE}tokens/abc-1.json", {"api_key": other_key}).status_code == 404
    assert client.get(f"{BASE}tokens/abc-1.json").status_code == 403
    clash = post(client, form, headers={"Idempotency-Key": "other"})
    assert clash.status_code == 400 and Case.objects.count() == 1


def _error(response: Any) -> tuple[int, str]:
    if response["Content-Type"].startswith("application/json"):
        (error, *_) = response.json()
        return error["code"], error["description"]
    root = parse(response.content)
    assert root.tag == "errors"
    return int(root.findtext("error/code") or 0), root.findtext("error/description") or ""


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_get_the_specs_errors_and_store_nothing(client, matter, api_key, fmt):
    cases: list[tuple[dict[str, str], int]] = [
        ({**good_form(api_key, matter.code), "api_key": "linli_nope_wrong"}, 403),
        ({k: v for k, v in good_form(api_key, matter.code).items() if k != "api_key"}, 403),
        (good_form(api_key, ""), 400),
        (good_form(api_key, "NO-SUCH"), 404),
        ({k: v for k, v in good_form(api_key, matter.code).items() if k not in ("lat", "long")}, 400),
        ({k: v for k, v in good_form(api_key, matter.code).items() if k != "long"}, 400),
        ({k: v for k, v in good_form(api_key, matter.code).items() if k != "attribute[consent]"}, 400),
        (good_form(api_key, matter.code, lat="nan"), 400),
        (good_form(api_key, matter.code, lat="10", long="10"), 400),  # outside every grid
        (good_form(api_key, matter.code, description="x" * 4001), 400),
        (good_form(api_key, matter.code, description="<script>alert(1)</script>"), 400),
        (good_form(api_key, matter.code, phone="12"), 400),
        (good_form(api_key, matter.code, lat="", long="", address_id="NO-SUCH-PLACE"), 400),
        (good_form(api_key, matter.code, lat="", long="", address_string="火星基地"), 400),
    ]
    for form, status in cases:
        response = post(client, form, fmt=fmt)
        code, description = _error(response)
        assert response.status_code == status == code and description, (form, response.content)
    assert not Case.objects.exists()


def test_address_string_and_address_id_locate_a_request(client, matter, api_key):
    by_id = post(client, {**good_form(api_key, matter.code), "lat": "", "long": "", "address_id": "110101001001001E01"})
    assert by_id.status_code == 201
    by_text = post(client, {**good_form(api_key, matter.code), "lat": "", "long": "", "address_string": "甲园小区"})
    assert by_text.status_code == 201
    assert {c.place.code for c in Case.objects.all()} == {"110101001001001E01"}


def test_the_address_stops_at_the_estate_and_the_point_is_rounded(client, matter, api_key):
    form = {**good_form(api_key, matter.code), "lat": "", "long": "", "address_id": "110101001001001E01B01"}
    number = post(client, form).json()[0]["service_request_id"]
    (seen,) = client.get(f"{BASE}requests/{number}.json", {"api_key": api_key}).json()
    assert seen["address_id"] == "110101001001001E01" and seen["address"].startswith("甲园小区, 甲一第1网格")
    assert "1号楼" not in seen["address"]


def resolve(world: Any, people: dict[str, Any], case: Case) -> Case:
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    case = actions.accept(people["dispatcher"], case)
    return actions.resolve(people["dispatcher"], case, answer="已清理，如有问题请拨打010-65123456")


@pytest.fixture
def people(world):
    return {"dispatcher": world.users["street_dispatcher"]}


def test_public_reads_show_the_board_and_keyed_reads_add_the_keys_scope(
    client, world, matter, api_key, other_key, people
):
    numbers = [
        post(client, good_form(api_key, matter.code, description=f"路面脏乱第{n}处")).json()[0]["service_request_id"]
        for n in range(2)
    ]
    answered = resolve(world, people, case_of(numbers[0]))
    public = client.get(f"{BASE}requests.json").json()
    assert [r["service_request_id"] for r in public] == [answered.number]
    assert public[0]["status"] == "closed" and public[0]["agency_responsible"] == "甲街道办事处"
    mine = {r["service_request_id"] for r in client.get(f"{BASE}requests.json", {"api_key": api_key}).json()}
    assert mine == set(numbers)
    theirs = {r["service_request_id"] for r in client.get(f"{BASE}requests.json", {"api_key": other_key}).json()}
    assert theirs == {answered.number}
    (one,) = client.get(f"{BASE}requests/{answered.number}.json", {"extensions": "true"}).json()
    assert one["extended_attributes"]["linli_state"] == "resolved"
    assert one["extended_attributes"]["lead_unit"]["name"] == "甲街道办事处"
    assert [n["type"] for n in one["notes"]] == ["submitted", "dispatched", "accepted", "resolved"]
    assert "010****3456" in one["notes"][-1]["description"] and "65123456" not in str(one)
    bad = client.get(f"{BASE}requests.json", {"api_key": "linli_bad_key"})
    assert bad.status_code == 403 and _error(bad)[0] == 403
