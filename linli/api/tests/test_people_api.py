"""The registry in the REST API: masked for every role, out-of-scope records are 404, the reveal gives clear
numbers to the roles allowed and writes exactly one access-log row per call, exact search by keyed digest,
and stored hostile text stays text. The scope of every list and detail, viewer by viewer, is the matrix's
(linli/tests/matrix_checks_people.py); here are the behaviours around it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.api.actions import issue_token
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.models import CareTag, Household, Ownership, Person
from linli.tests.hostile import HOSTILE, HOSTILE_SHORT
from linli.tests.matrix_people import NUMBERS, PHONES, People, make_people

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def people(world: Any) -> People:
    return make_people(world)


def as_user(user: Any) -> Client:
    from conftest import SecondFactorClient

    client = SecondFactorClient()
    client.force_login(user)
    return client


def as_token(user: Any, role: str) -> Client:
    grant = Grant.objects.get(user=user, role=role)
    _token, secret = issue_token(None, grant, name=f"t-{role}", days=5)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def reveals() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).count()


def clear_texts() -> list[str]:
    texts = [*NUMBERS.values(), *PHONES.values()]
    texts += [p.name for p in Person.objects.all() if p.is_sensitive]
    return texts


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def every_viewer(world: Any) -> list[Any]:
    return [world.admin, *world.users.values(), *world.outsiders.values(), world.extras["multi"]]


def urls_of(people: People) -> list[str]:
    urls = [f"{API}persons/", f"{API}households/", f"{API}houses/"]
    for person in Person.objects.all():
        urls += [f"{API}persons/{person.pk}/", f"{API}persons/{person.pk}/care-tags/"]
    urls += [f"{API}households/{h.pk}/" for h in Household.objects.all()]
    urls += [f"{API}houses/{h.pk}/" for h in people.houses.values()]
    return urls


def test_no_answer_holds_a_clear_number_or_a_minors_name_for_any_role(world, people):
    secret = clear_texts()
    assert len(secret) >= 9  # four numbers, four phones, the minor's name
    seen_masked = 0
    for user in every_viewer(world):
        client = as_user(user)
        for url in urls_of(people):
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (user.username, url, response.status_code)
            body = response.content.decode()
            leaked = [text for text in secret if text in body]
            assert not leaked, (user.username, url, leaked)
            seen_masked += "138****8001" in body
    assert seen_masked >= 5  # the masked phone is shown, to the roles that read the person


def test_persons_are_masked_per_field_and_minors_more_strictly(world, people):
    client = as_user(world.users[Role.COMMUNITY_WORKER])
    adult = client.get(f"{API}persons/{people['a_adult'].pk}/").json()
    assert adult["name"] == "矩阵甲成人" and adult["phone"] == "138****8001"
    assert adult["id_number"] == NUMBERS["a_adult"][:6] + "********" + NUMBERS["a_adult"][-4:]
    assert adult["birth_date"] == "1950-03-05" and adult["sensitive"] is False
    assert [h["relation"] for h in adult["households"]] == ["head"]
    assert [t["tag"] for t in adult["care_tags"]] == ["living_alone_elderly"]
    assert adult["owns"] == [people.houses["a"].pk]  # the house owned in B is B's record, out of this scope
    district = as_user(world.users[Role.DISTRICT_COMMAND]).get(f"{API}persons/{people['a_adult'].pk}/").json()
    assert sorted(district["owns"]) == sorted([people.houses["a"].pk, people.houses["b"].pk])
    minor = client.get(f"{API}persons/{people['a_minor'].pk}/").json()
    assert minor["sensitive"] is True and minor["name"] == "矩****"
    assert minor["id_number"] == "*" * 14 + NUMBERS["a_minor"][-4:]
    assert minor["birth_date"] == NUMBERS["a_minor"][6:10]
    household = client.get(f"{API}households/{people.households['a'].pk}/").json()
    names = {m["person"]["name"] for m in household["members"]}
    assert names == {"矩阵甲成人", "矩****"}  # the mover's past membership goes with them, out of this scope


def test_records_out_of_scope_are_404(world, people):
    a_person, a_house, a_household = people["a_adult"], people.houses["a"], people.households["a"]
    outsider = as_user(world.outsiders[Role.COMMUNITY_WORKER])
    for url in (
        f"{API}persons/{a_person.pk}/",
        f"{API}persons/{a_person.pk}/care-tags/",
        f"{API}households/{a_household.pk}/",
        f"{API}houses/{a_house.pk}/",
        f"{API}persons/999999/",
        f"{API}persons/9999999999/",  # past a 32-bit id: still a plain 404 on every database
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"{API}persons/{a_person.pk}/reveal/", {}, content_type="application/json").status_code == 404
    # A grid worker of grid 2 reads the person living there, not the people of grid 1.
    Grant.objects.filter(user=world.users[Role.GRID_WORKER]).update(place=world.places["110101001001002"])
    grid2 = as_user(world.users[Role.GRID_WORKER])
    assert grid2.get(f"{API}persons/{a_person.pk}/").status_code == 404
    listed = {row["id"] for row in grid2.get(f"{API}persons/").json()["results"]}
    assert listed == {people["a_grid2"].pk}
    # Roles with no registry read nothing, and see an empty list rather than an error.
    for role in (Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER, Role.RESIDENT, Role.VOLUNTEER, Role.AUDITOR):
        client = as_user(world.users[role])
        assert client.get(f"{API}persons/").json()["count"] == 0, role
        assert client.get(f"{API}persons/{a_person.pk}/").status_code == 404, role
    assert Client().get(f"{API}persons/").status_code in (401, 403)


def test_reveal_is_for_the_roles_that_need_it_and_logs_each_call_once(world, people):
    person, url = people["a_adult"], f"{API}persons/{people['a_adult'].pk}/reveal/"
    for role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER):
        before = reveals()
        response = as_user(world.users[role]).post(url, {"fields": ["phone"]}, content_type="application/json")
        assert response.status_code == 200, (role, response.content)
        assert response.json() == {
            "id": person.pk,
            "name": "矩阵甲成人",
            "birth_date": "1950-03-05",
            "phone": PHONES["a_adult"],
        }
        assert response["Cache-Control"] == "no-store"
        assert reveals() == before + 1, role
    both = as_user(world.admin).post(url, {}, content_type="application/json")
    assert both.status_code == 200 and both.json()["id_number"] == NUMBERS["a_adult"]
    event = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).order_by("-pk").first()
    assert event is not None and event.target_id == str(person.pk) and event.data["fields"] == ["id_number", "phone"]
    assert NUMBERS["a_adult"] not in json.dumps(event.data) and PHONES["a_adult"] not in json.dumps(event.data)
    # District command reads the registry masked: refused, and nothing logged; a record out of reach is a 404.
    before = reveals()
    refused = as_user(world.users[Role.DISTRICT_COMMAND]).post(url, {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"]
    outside = as_user(world.outsiders[Role.GRID_WORKER]).post(url, {}, content_type="application/json")
    assert outside.status_code == 404
    bad = as_user(world.users[Role.GRID_WORKER]).post(url, {"fields": ["name"]}, content_type="application/json")
    assert bad.status_code == 400 and "fields" in bad.json()
    assert reveals() == before


def test_a_minors_record_is_revealed_only_with_a_reason(world, people, settings):
    settings.LANGUAGE_CODE = "en"
    url = f"{API}persons/{people['a_minor'].pk}/reveal/"
    worker = as_user(world.users[Role.COMMUNITY_WORKER])
    before = reveals()
    refused = worker.post(url, {"fields": ["id_number"]}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert refused.json() == {"reason": ["This record is sensitive (a minor's): say why you need it in full"]}
    assert reveals() == before
    given = worker.post(url, {"fields": ["id_number"], "reason": "办理困境儿童补贴"}, content_type="application/json")
    assert given.status_code == 200 and given.json()["id_number"] == NUMBERS["a_minor"]
    assert reveals() == before + 1
    assert AuditEvent.objects.order_by("-pk").first().data["reason"] == "办理困境儿童补贴"  # type: ignore[union-attr]


def test_tokens_reach_what_their_one_grant_reaches(world, people):
    grid = as_token(world.users[Role.GRID_WORKER], Role.GRID_WORKER)
    listed = {row["id"] for row in grid.get(f"{API}persons/").json()["results"]}
    assert listed == {people[k].pk for k in ("a_adult", "a_minor", "a_left")}
    response = grid.post(f"{API}persons/{people['a_adult'].pk}/reveal/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["phone"] == PHONES["a_adult"]
    # The two-hat user through its volunteer grant alone: nothing of the registry.
    volunteer = as_token(world.extras["multi"], Role.VOLUNTEER)
    assert volunteer.get(f"{API}persons/").json()["count"] == 0
    assert volunteer.get(f"{API}persons/{people['a_adult'].pk}/").status_code == 404
    assert as_user(world.extras["multi"]).get(f"{API}persons/{people['a_adult'].pk}/").status_code == 200


def test_exact_search_by_digest(world, people):
    client = as_user(world.users[Role.STREET_DISPATCHER])
    adult = people["a_adult"].pk
    for written in ("13800138001", "138 0013 8001", "+86 138-0013-8001"):
        with CaptureQueriesContext(connection) as queries:
            found = client.get(f"{API}persons/", {"phone": written}).json()
        assert [r["id"] for r in found["results"]] == [adult], written
        sql = " ".join(q["sql"] for q in queries.captured_queries if "people_person" in q["sql"])
        assert "phone_digest" in sql and "LIKE" not in sql.upper()
    found = client.get(f"{API}persons/", {"id_number": " " + NUMBERS["a_adult"].lower() + " "}).json()
    assert [r["id"] for r in found["results"]] == [adult]
    # Someone else's number, out of this scope, finds nothing; a number that is no number says why.
    assert client.get(f"{API}persons/", {"phone": PHONES["b_adult"]}).json()["count"] == 0
    assert client.get(f"{API}persons/", {"id_number": NUMBERS["x_adult"]}).json()["count"] == 0
    bad = client.get(f"{API}persons/", {"phone": "12345", "id_number": NUMBERS["a_adult"][:-1] + "0"})
    assert bad.status_code == 400 and set(bad.json()) == {"phone", "id_number"}
    passport = client.get(f"{API}persons/", {"id_number": "E1234567", "id_type": "passport"})
    assert passport.status_code == 200 and passport.json()["count"] == 0


def test_filters(world, people):
    client = as_user(world.users[Role.DISTRICT_COMMAND])

    def ids(**query: Any) -> set[int]:
        response = client.get(f"{API}persons/", query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    p = people.persons
    assert ids() == {p[k].pk for k in ("a_adult", "a_minor", "a_grid2", "a_left", "mover", "b_adult")}
    assert ids(place=world.places["110101001001002"].pk) == {p["a_grid2"].pk}
    assert ids(place=world.places["110102001001"].pk) == set()  # another district: not a place this user reads
    assert ids(tag="living_alone_elderly") == {p["a_adult"].pk}
    CareTag.objects.filter(person=p["a_adult"]).update(valid_to="2001-01-01")  # ended: no longer tagged
    assert ids(tag="living_alone_elderly") == set()
    assert ids(residency="floating") == {p["a_grid2"].pk}
    assert ids(current="false") == {p["a_left"].pk}
    assert p["a_left"].pk not in ids(current="true")
    assert client.get(f"{API}persons/", {"tag": "nonsense"}).status_code == 400
    assert client.get(f"{API}persons/", {"place": ""}).status_code == 400
    houses = client.get(f"{API}houses/", {"use": "rented"}).json()["results"]
    assert [h["code"] for h in houses] == [people.houses["b"].code]
    under_a = client.get(f"{API}households/", {"place": world.places["110101001001"].pk}).json()["results"]
    assert [h["id"] for h in under_a] == [people.households["a"].pk]


def test_houses_show_area_use_owners_and_tenants_with_sensitive_owners_masked(world, people):
    Person.objects.filter(pk=people["a_adult"].pk).update(marked_sensitive=True)
    house = as_user(world.outsiders[Role.COMMUNITY_WORKER]).get(f"{API}houses/{people.houses['b'].pk}/").json()
    assert house["area"] == "89.50" and house["use"] == "rented"
    [owner] = house["owners"]
    assert owner["share"] == "1.0000" and owner["person"] == {
        "id": people["a_adult"].pk,
        "name": "矩****",
        "sensitive": True,
    }
    assert [t["person"]["name"] for t in house["tenants"]] == ["矩阵乙成人"]
    assert [h["number"] for h in house["households"]] == ["矩阵户乙"]
    a_house = as_user(world.users[Role.GRID_WORKER]).get(f"{API}houses/{people.houses['a'].pk}/").json()
    shares = sorted((o["organisation"], o["share"], o["area"]) for o in a_house["owners"])
    assert shares == [("", "0.5000", "44.75"), ("矩阵开发商", "0.5000", None)]


def test_stored_hostile_text_stays_text(world, people):
    person = people["a_adult"]
    Person.objects.filter(pk=person.pk).update(name="矩" + HOSTILE_SHORT, note=HOSTILE)  # a name has 64 at most
    Ownership.objects.filter(house=people.houses["a"], person=None).update(organisation=HOSTILE)
    Household.objects.filter(pk=people.households["a"].pk).update(number=HOSTILE[:32])
    client = as_user(world.users[Role.COMMUNITY_WORKER])
    for url in (
        f"{API}persons/",
        f"{API}persons/{person.pk}/",
        f"{API}houses/{people.houses['a'].pk}/",
        f"{API}households/{people.households['a'].pk}/",
    ):
        response = client.get(url)
        assert response["Content-Type"] == "application/json" and response["X-Content-Type-Options"] == "nosniff"
        # The text, unchanged, as a string value: JSON carries it, the client decides how to show it.
        assert any('<img src=x onerror="window.__pwned=1">' in text for text in strings(response.json())), url
        page = client.get(url, HTTP_ACCEPT="text/html")  # the browsable API escapes it
        assert page.status_code == 200 and "<img src=x" not in page.content.decode()
        assert "<script>window.__pwned" not in page.content.decode()
    detail = client.get(f"{API}persons/{person.pk}/").json()
    assert detail["name"] == "矩" + HOSTILE_SHORT and detail["note"] == HOSTILE


def test_register_through_the_api_checks_every_field(world, people, settings):
    keeper, house = as_user(world.users[Role.COMMUNITY_WORKER]), people.houses["a"]
    body = {
        "place": house.pk,
        "name": "矩阵新人",
        "residency": "户籍",
        "phone": "13700137000",
        "birth_date": "1988-08-08",
    }
    created = keeper.post(f"{API}persons/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "137****7000" and Person.objects.filter(name="矩阵新人").exists()
    count = Person.objects.count()
    bad = keeper.post(
        f"{API}persons/",
        {"place": house.pk, "name": "", "residency": "火星", "phone": "123", "id_number": "110101"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and {"name", "residency", "phone", "id_number"} <= set(bad.json())
    assert Person.objects.count() == count
    for client, place in (
        (as_user(world.outsiders[Role.COMMUNITY_WORKER]), house),  # not their community
        (as_user(world.users[Role.GRID_WORKER]), house),  # grid workers read and visit; upkeep is community staff's
    ):
        refused = client.post(
            f"{API}persons/", {**body, "name": "矩阵他人", "place": place.pk}, content_type="application/json"
        )
        assert refused.status_code == 403, refused.content
    missing = keeper.post(f"{API}persons/", {**body, "place": 999999}, content_type="application/json")
    assert missing.status_code == 400 and "place" in missing.json()
    assert Person.objects.count() == count


def test_lists_take_a_bounded_number_of_queries(world, people, django_assert_max_num_queries):
    client = as_user(world.users[Role.DISTRICT_COMMAND])
    for url in (f"{API}persons/", f"{API}households/", f"{API}houses/"):
        client.get(url)  # the session and the scope, once
        with django_assert_max_num_queries(8):
            assert client.get(url, {"limit": 500}).status_code == 200
