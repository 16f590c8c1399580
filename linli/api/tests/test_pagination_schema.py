"""Pagination has bounds the schema states, and nonsense is refused with a 400, never a 500."""

from __future__ import annotations

import pytest

from linli.accounts.choices import Role
from linli.api.pagination import MAX_LIMIT, MAX_OFFSET


@pytest.fixture
def command_client(client, world):
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "limit=1222701237667136274432",  # the fuzzer's server error on SQLite
        "limit=-1",
        "limit=0",
        f"limit={MAX_LIMIT + 1}",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "limit=5&limit=6",
        "offset=-1",
        f"offset={MAX_OFFSET + 1}",
        "offset=99999999999999999999999999",
        "offset=x",
    ],
)
def test_nonsense_paging_is_refused_in_both_languages(command_client, query):
    response = command_client.get(f"/api/v1/matters/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    message = response.json()[name][0]
    assert "整数" in message and "whole number" in message


@pytest.mark.django_db
def test_paging_within_bounds_works(command_client, matter):
    body = command_client.get(f"/api/v1/matters/?limit={MAX_LIMIT}&offset=0").json()
    assert body["count"] == 1 and body["results"][0]["code"] == matter.code
    assert command_client.get(f"/api/v1/matters/?offset={MAX_OFFSET}").json()["results"] == []
    assert len(command_client.get("/api/v1/places/").json()["results"]) <= 100  # the default page


@pytest.mark.django_db
def test_schema_states_bounds_and_every_error_status(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/matters/"]["get"]["parameters"]}
    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
    assert parameters["offset"] == {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "400" in codes, (method, path)
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"]["$ref"].startswith("#/components/")


@pytest.mark.django_db
def test_unknown_api_address_answers_json(command_client):
    response = command_client.get("/api/v1/units/not-an-id.x/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert command_client.get("/api/v1/nothing-here/").json()["detail"]


@pytest.mark.django_db
def test_logged_out_is_refused_not_served(client, world):
    for url in ["/api/v1/places/", "/api/v1/me/", "/api/v1/matters/?limit=-5"]:
        assert client.get(url).status_code in {401, 403}
