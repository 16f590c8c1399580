"""Search: filters, distance on the place tree, the Excel export, inert text, and a bounded query count."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from conftest import World
from linli.accounts.choices import Role
from linli.places.actions import create_place
from linli.resources import actions
from linli.resources.choices import Distance, ResourceKind
from linli.resources.models import Resource
from linli.resources.queries import search
from linli.tests.hostile import HOSTILE

from .conftest import COMMUNITY_A, STREET_A, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world: World, keeper: Any) -> dict[str, Resource]:
    street = world.users[Role.STREET_DISPATCHER]
    district = world.users[Role.DISTRICT_COMMAND]
    second = create_place(
        world.admin, code="110101001002", name="甲二社区", level="community", parent=world.places[STREET_A]
    )
    made = {
        "here": actions.create_resource(
            keeper, kind=ResourceKind.VENUE, place=world.places[COMMUNITY_A], name="甲一活动室", tags="会议"
        ),
        "grid": actions.create_resource(
            keeper, kind=ResourceKind.EXPERT, place=world.places["110101001001001"], name="李医生", tags="医疗，健康"
        ),
        "street": actions.create_resource(
            district, kind=ResourceKind.FUND, place=world.places[STREET_A], name="街道公益金"
        ),
        "sibling": actions.create_resource(
            district, kind=ResourceKind.SOCIAL_ORG, place=second, name="甲二社工站", tags="健康"
        ),
        "far": actions.create_resource(
            district, kind=ResourceKind.EXPERT, place=world.places["110101002001"], name="乙律师", tags="法律"
        ),
    }
    # An expert of the other street who also serves community A counts as "same community".
    made["serving"] = actions.create_resource(
        district,
        kind=ResourceKind.EXPERT,
        place=world.places["110101002001"],
        name="乙规划师",
        serves=[world.places[COMMUNITY_A]],
    )
    assert street
    return made


def test_distance_on_the_tree(world: World, library: dict[str, Resource]) -> None:
    district = world.users[Role.DISTRICT_COMMAND]
    rows = list(search(district, place=world.places[COMMUNITY_A]))
    distance = {r.name: r.distance for r in rows}
    assert distance == {
        "甲一活动室": Distance.SAME_COMMUNITY,
        "李医生": Distance.SAME_COMMUNITY,
        "乙规划师": Distance.SAME_COMMUNITY,
        "街道公益金": Distance.SAME_STREET,
        "甲二社工站": Distance.SAME_STREET,
    }  # 乙律师 lies in another street: not near
    assert [r.distance for r in rows] == sorted(r.distance for r in rows)
    everywhere = {r.name for r in search(district)}
    assert "乙律师" in everywhere


def test_filters(world: World, library: dict[str, Resource]) -> None:
    district = world.users[Role.DISTRICT_COMMAND]
    assert {r.name for r in search(district, kind=ResourceKind.EXPERT)} == {"李医生", "乙律师", "乙规划师"}
    assert {r.name for r in search(district, skill="健康")} == {"李医生", "甲二社工站"}
    assert {r.name for r in search(district, text="公益")} == {"街道公益金"}
    assert {r.name for r in search(district, text="医疗")} == {"李医生"}
    community_b = world.outsiders[Role.COMMUNITY_WORKER]
    assert {r.name for r in search(community_b)} == {"乙律师", "乙规划师"}  # its own street only
    page = client_for(district).get(
        reverse("resources:search"), {"kind": "expert", "place": str(world.places[COMMUNITY_A].pk)}
    )
    body = page.content.decode()
    assert "李医生" in body and "乙律师" not in body and "甲一活动室" not in body


def test_excel_export_for_staff(world: World, library: dict[str, Resource], keeper: Any) -> None:
    Resource.objects.filter(pk=library["here"].pk).update(name='=HYPERLINK("http://x")' + HOSTILE)
    response = client_for(keeper).get(reverse("resources:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert any(str(c).startswith("'=HYPERLINK") for c in cells)
    assert not any(str(c).startswith("=") for c in cells)
    assert "乙律师" not in cells  # outside the community worker's street


def test_hostile_text_stays_inert(world: World, library: dict[str, Resource], keeper: Any) -> None:
    item = library["here"]
    Resource.objects.filter(pk=item.pk).update(name=HOSTILE, description=HOSTILE, tags=f",{HOSTILE[:30]},")
    client = client_for(keeper)
    for url in (
        reverse("resources:search"),
        reverse("resources:detail", args=[item.pk]),
        reverse("resources:calendar", args=[item.pk]),
        reverse("resources:edit", args=[item.pk]),
    ):
        body = client.get(url).content.decode()
        assert "<script>window.__pwned" not in body and '<img src=x onerror="window' not in body, url
        assert "&lt;script&gt;" in body or "&lt;img" in body, url


def test_search_page_query_count_does_not_grow(world: World, library: dict[str, Resource], keeper: Any) -> None:
    client = client_for(keeper)
    client.get(reverse("resources:search"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("resources:search"))
    for n in range(20):
        actions.create_resource(keeper, kind=ResourceKind.EQUIPMENT, place=world.places[COMMUNITY_A], name=f"桌子{n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("resources:search"))
    assert page.content.decode().count("data-resource=") > 20
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(many) <= 16
