"""Suggestions on the project page: volunteers with the skills named, library entries by field, kind,
distance and freshness, service providers through linli.services.matching; shown only to staff who manage
the project, with a query count that does not grow with the library or the roll."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import World
from linli.accounts.choices import Role
from linli.people.actions.registry import register_person
from linli.projects import actions
from linli.projects.matching import rank_resources, suggest_for_project
from linli.projects.models import Project
from linli.resources.choices import Distance
from linli.resources.models import Resource
from linli.services.models import ServiceKind, ServiceOffer
from linli.volunteers.actions.volunteers import register_volunteer
from linli.volunteers.models import Skill

from .conftest import BUILDING_A, COMMUNITY_A, in_days

pytestmark = pytest.mark.django_db

STREET_A = "110101001000"
STREET_B = "110101002000"


def entry(name: str, kind: str, tags: str = "", distance: int | None = Distance.SAME_COMMUNITY, pk: int = 0) -> Any:
    return SimpleNamespace(
        pk=pk or abs(hash(name)) % 10_000,
        name=name,
        kind=kind,
        tag_list=[t for t in tags.split(",") if t],
        distance=distance,
        last_confirmed_at=timezone.now() - datetime.timedelta(days=400),
        get_kind_display=lambda: kind,
    )


def test_resources_ranked_by_fit_distance_and_freshness() -> None:
    lines = ["急救培训", "活动场地"]
    hall = entry("活动室", "venue", distance=Distance.SAME_STREET)
    medic = entry("社区医生", "expert", tags="急救,慢病")
    far_medic = entry("区医院专家", "expert", tags="急救", distance=Distance.ELSEWHERE)
    fund = entry("基金", "fund")
    found = rank_resources(lines, [fund, far_medic, hall, medic], stale=set())
    assert [s.resource.name for s in found] == ["社区医生", "区医院专家", "活动室"]  # the fund fits nothing
    assert "Field: 急救" in found[0].reasons and "Same community" in found[0].reasons
    assert "Kind asked for: venue" in found[2].reasons
    street_medic = entry("街道医生", "expert", tags="急救", distance=Distance.SAME_STREET)
    stale = rank_resources(lines, [medic, street_medic], stale={medic.pk})
    assert [s.resource.name for s in stale] == ["街道医生", "社区医生"]
    assert any(r.startswith("Not confirmed since") for r in stale[1].reasons)


def _library(world: World, staff: Any) -> None:
    p = world.places
    Resource.objects.create(kind="venue", name="甲一活动室", place=p[COMMUNITY_A], tags=",活动,")
    Resource.objects.create(kind="expert", name="乙街道急救员", place=p[STREET_B], tags=",急救,")
    Resource.objects.create(kind="equipment", name="甲急救箱", place=p[COMMUNITY_A], tags=",急救,")
    kind = ServiceKind.objects.create(code="JZ", name="家政")
    offer = ServiceOffer.objects.create(unit=world.units["provider_a"], kind=kind, price="每小时50元")
    offer.places.set([p[COMMUNITY_A]])
    skill = Skill.objects.get_or_create(name="急救")[0]
    person = register_person(staff, place=p[BUILDING_A], name="甲急救志愿者", residency="resident")
    register_volunteer(staff, person, skills=[skill])


def _project(world: World, staff: Any) -> Project:
    return actions.create_project(
        staff,
        title="老人急救培训",
        goal="教老人急救",
        place=world.places[BUILDING_A],
        deadline=in_days(30),
        resources=["急救志愿者", "场地", "家政"],
    )


def test_suggestions_for_a_project(world: World, staff: Any) -> None:
    _library(world, staff)
    found = suggest_for_project(staff, _project(world, staff))
    assert [s.name for s in found.volunteers.suggestions] == ["甲急救志愿者"]
    assert "Skills: 急救" in found.volunteers.suggestions[0].reasons
    names = [s.resource.name for s in found.resources]
    assert names == ["甲急救箱", "甲一活动室"]  # street B's expert is outside the project's street
    assert [m.offer.unit.name for m in found.providers] == ["甲家政"]
    assert "Accepts 家政" in found.providers[0].reasons


def test_project_page_shows_suggestions_to_managers_only(world: World, staff: Any, client: Any) -> None:
    _library(world, staff)
    project = _project(world, staff)
    actions.publish_call(staff, project)
    url = f"/projects/{project.pk}/"
    client.force_login(staff)
    page = client.get(url).content.decode()
    for part in ("volunteer-suggestions", "resource-suggestions", "provider-suggestions"):
        assert f'id="{part}"' in page
    assert "甲急救志愿者" in page and "甲急救箱" in page and "甲家政" in page
    assert "Skills: 急救" in page or "技能匹配：急救" in page
    for outsider in (world.users[Role.VOLUNTEER], world.outsiders[Role.COMMUNITY_WORKER]):
        client.force_login(outsider)
        response = client.get(url)
        assert 'id="project-suggestions"' not in response.content.decode()
        assert "甲急救志愿者" not in response.content.decode()


def test_project_page_query_count_does_not_grow(world: World, staff: Any, client: Any) -> None:
    _library(world, staff)
    project = _project(world, staff)
    url = f"/projects/{project.pk}/"
    client.force_login(staff)

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    skill = Skill.objects.get(name="急救")
    for n in range(5):
        Resource.objects.create(kind="expert", name=f"急救员{n}", place=world.places[COMMUNITY_A], tags=",急救,")
        person = register_person(staff, place=world.places[BUILDING_A], name=f"志愿者{n}", residency="resident")
        register_volunteer(staff, person, skills=[skill])
    assert count() == few
    assert few <= 40, few
