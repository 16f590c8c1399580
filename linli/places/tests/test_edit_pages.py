"""The place tree below the community, edited from the place pages: add, rename, move, retire, restore."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.accounts.choices import Role
from linli.cases.intake_forms import picker_levels
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.actions import registry
from linli.people.models import House, Person
from linli.places import tree_actions
from linli.places.models import Place
from linli.places.queries import resolve_address, resolve_point

pytestmark = pytest.mark.django_db

ESTATE_A = "110101001001001E01"
BUILDING_A = "110101001001001E01B01"
ESTATE_B = "110101002001001E01"
COMMUNITY_A = "110101001001"


def _post(client, user, name, place, data):
    client.force_login(user)
    return client.post(reverse(f"places:{name}", args=[place.pk]), data)


def test_community_worker_adds_building_unit_and_house_with_suggested_codes(client, world):
    worker = world.users[Role.COMMUNITY_WORKER]
    estate = world.place(ESTATE_A)
    client.force_login(worker)
    detail = client.get(reverse("places:detail", args=[estate.pk])).content.decode()
    assert 'id="add-child-link"' in detail and 'id="edit-link"' in detail
    page = client.get(reverse("places:add_child", args=[estate.pk]))
    assert page.status_code == 200
    assert f'value="{ESTATE_A}B02"' in page.content.decode()  # B01 is taken
    response = client.post(
        reverse("places:add_child", args=[estate.pk]), {"level": "building", "code": f"{ESTATE_A}B02", "name": "2号楼"}
    )
    assert response.status_code == 302
    building = Place.objects.get(code=f"{ESTATE_A}B02")
    assert building.parent_id == estate.pk and building.path.startswith(estate.path)
    assert tree_actions.suggest_code(building, "building_unit") == f"{ESTATE_A}B02U1"
    unit = tree_actions.add_place(worker, building, level="building_unit", code=f"{ESTATE_A}B02U1", name="1单元")
    assert tree_actions.suggest_code(unit, "house") == f"{ESTATE_A}B02U1H101"
    response = client.post(
        reverse("places:add_child", args=[unit.pk]),
        {"level": "house", "code": f"{ESTATE_A}B02U1H301", "name": "301室", "area": "88.50", "use": "rented"},
    )
    assert response.status_code == 302
    house = House.objects.get(place__code=f"{ESTATE_A}B02U1H301")
    assert (house.area, house.use) == (Decimal("88.50"), "rented")
    assert tree_actions.suggest_code(unit, "house") == f"{ESTATE_A}B02U1H302"
    created = AuditEvent.objects.filter(action=AuditAction.PLACE_CREATED, actor=worker).count()
    assert created == 3


def test_a_house_whose_area_is_refused_is_not_created(world):
    worker = world.users[Role.COMMUNITY_WORKER]
    building = world.place(BUILDING_A)
    unit = tree_actions.add_place(worker, building, level="building_unit", code=f"{BUILDING_A}U9", name="9单元")
    with pytest.raises(ValidationError):
        tree_actions.add_place(worker, unit, level="house", code=f"{BUILDING_A}U9H101", name="101室", area="999999")
    assert not Place.objects.filter(code=f"{BUILDING_A}U9H101").exists()


def test_outsiders_get_404_and_readers_without_the_right_get_403(client, world):
    estate = world.place(ESTATE_A)
    for user in (
        world.outsiders[Role.COMMUNITY_WORKER],
        world.outsiders[Role.COMMUNITY_SECRETARY],
        world.outsiders[Role.DISTRICT_COMMAND],
        world.users[Role.RESIDENT],
    ):
        client.force_login(user)
        assert client.get(reverse("places:add_child", args=[estate.pk])).status_code == 404, user
        assert client.get(reverse("places:edit", args=[estate.pk])).status_code == 404, user
        assert _post(client, user, "rename", estate, {"name": "改名"}).status_code == 404, user
        assert _post(client, user, "retire", estate, {"reason": "拆除"}).status_code == 404, user
    for role in (Role.GRID_WORKER, Role.STREET_DISPATCHER):
        user = world.users[role]
        client.force_login(user)
        assert client.get(reverse("places:add_child", args=[estate.pk])).status_code == 403, role
        assert _post(client, user, "rename", estate, {"name": "改名"}).status_code == 403, role
        detail = client.get(reverse("places:detail", args=[estate.pk])).content.decode()
        assert 'id="add-child-link"' not in detail and 'id="edit-link"' not in detail
    worker_a = world.users[Role.COMMUNITY_WORKER]
    assert _post(client, worker_a, "rename", world.place(ESTATE_B), {"name": "越界"}).status_code == 404
    with pytest.raises(PermissionDenied):
        tree_actions.retire_place(worker_a, world.place(ESTATE_B), "越界")
    assert Place.objects.get(code=ESTATE_A).name == "甲园小区"
    assert Place.objects.get(code=ESTATE_B).name == "乙园小区" and Place.objects.get(code=ESTATE_B).is_active


def test_grids_are_added_by_district_command_only(client, world):
    community = world.place(COMMUNITY_A)
    worker = world.users[Role.COMMUNITY_WORKER]
    assert "grid" not in tree_actions.child_levels(worker, community)
    response = _post(client, worker, "add_child", community, {"level": "grid", "code": "110101001001003", "name": "x"})
    assert response.status_code == 400 and not Place.objects.filter(code="110101001001003").exists()
    client.force_login(worker)
    assert client.get(reverse("places:edit", args=[world.place("110101001001001").pk])).status_code == 403
    command = world.users[Role.DISTRICT_COMMAND]
    assert tree_actions.child_levels(command, community)[0] == "grid"
    assert tree_actions.suggest_code(community, "grid") == "110101001001003"
    response = _post(client, command, "add_child", community, {"level": "grid", "code": "110101001001003", "name": "3"})
    assert response.status_code == 302
    assert Place.objects.get(code="110101001001003").parent_id == community.pk


def test_rename_checks_the_name(client, world):
    worker = world.users[Role.COMMUNITY_WORKER]
    estate = world.place(ESTATE_A)
    assert _post(client, worker, "rename", estate, {"name": "<b>甲园</b>"}).status_code == 400
    assert Place.objects.get(pk=estate.pk).name == "甲园小区"
    assert _post(client, worker, "rename", estate, {"name": "甲园新村"}).status_code == 302
    assert Place.objects.get(pk=estate.pk).name == "甲园新村"
    assert AuditEvent.objects.filter(action=AuditAction.PLACE_UPDATED, target_id=str(estate.pk)).count() == 1


def test_move_within_scope_under_the_right_level(client, world, houses):
    worker = world.users[Role.COMMUNITY_WORKER]
    grid = world.place("110101001001002")
    other = tree_actions.add_place(worker, grid, level="estate", code="110101001001002E01", name="新园")
    building = world.place(BUILDING_A)
    client.force_login(worker)
    page = client.get(reverse("places:edit", args=[building.pk])).content.decode()
    assert 'value="110101001001002E01"' in page  # offered in the list of new parents
    assert _post(client, worker, "move", building, {"parent_code": other.code}).status_code == 302
    building.refresh_from_db()
    assert building.parent_id == other.pk
    for place in Place.objects.under(building):
        assert place.path.startswith(other.path) and place.depth == len(place.path) // 10 - 1
    house = houses["a101"]
    wrong = _post(client, worker, "move", building, {"parent_code": house.code})
    assert wrong.status_code == 400 and "楼栋不能位于房屋之下" in wrong.content.decode()
    assert Place.objects.get(pk=building.pk).parent_id == other.pk
    foreign = _post(client, worker, "move", building, {"parent_code": ESTATE_B})
    assert foreign.status_code == 400
    assert Place.objects.get(pk=building.pk).parent_id == other.pk
    with pytest.raises(ValidationError, match="楼栋不能位于房屋之下"):
        tree_actions.move_place(worker, building, house)


def test_retire_is_refused_while_people_live_there_or_places_below_are_in_use(client, world, houses, keeper):
    house = houses["a101"]
    person = registry.register_person(keeper, place=house, name="王秀英", residency="常住", birth_date="1950-01-01")
    refused = _post(client, keeper, "retire", house, {"reason": "合并"})
    assert refused.status_code == 400
    with pytest.raises(ValidationError) as caught:
        tree_actions.retire_place(keeper, house, "合并")
    assert re.search(r"\b1\b", caught.value.messages[0])
    unit = house.parent
    with pytest.raises(ValidationError) as caught:
        tree_actions.retire_place(keeper, unit, "拆除")
    assert re.search(r"\b2\b", caught.value.messages[0])  # both rooms are in use
    # A current household member counts even where the person's own place says otherwise.
    household = registry.create_household(keeper, house=houses["a102"])
    registry.move_person(keeper, person, household=household, relation="head")
    Person.objects.filter(pk=person.pk).update(place=world.place(COMMUNITY_A))
    assert tree_actions.residents_count(houses["a102"]) == 1
    assert tree_actions.residents_count(house) == 0
    with pytest.raises(ValidationError) as caught:
        tree_actions.retire_place(keeper, house, "  ")
    assert "reason" in caught.value.message_dict
    assert Place.objects.get(pk=house.pk).is_active
    assert not AuditEvent.objects.filter(action=AuditAction.PLACE_RETIRED).exists()


def test_retired_place_is_greyed_and_offered_nowhere_until_restored(client, world, houses, keeper):
    house = houses["a101"]
    assert _post(client, keeper, "retire", house, {"reason": "并入102室"}).status_code == 302
    house.refresh_from_db()
    assert not house.is_active
    event = AuditEvent.objects.get(action=AuditAction.PLACE_RETIRED)
    assert event.target_id == str(house.pk) and event.data["reason"] == "并入102室"
    unit_page = client.get(reverse("places:detail", args=[house.parent_id])).content.decode()
    assert unit_page.count("data-retired") == 1
    with pytest.raises(ValidationError):
        tree_actions.add_place(keeper, house, level="house", code=f"{house.code}X", name="x")
    with pytest.raises(ValidationError):
        registry.register_person(keeper, place=house, name="李四", residency="常住")
    with pytest.raises(ValidationError):
        tree_actions.retire_place(keeper, house, "again")
    assert _post(client, keeper, "restore", house, {}).status_code == 302
    assert Place.objects.get(pk=house.pk).is_active
    # The unit retired after both its rooms: restoring a room first is refused.
    unit = house.parent
    for room in ("a101", "a102"):
        tree_actions.retire_place(keeper, houses[room], "拆除")
    tree_actions.retire_place(keeper, unit, "拆除")
    assert _post(client, keeper, "restore", houses["a101"], {}).status_code == 400
    assert not Place.objects.get(pk=houses["a101"].pk).is_active


def test_retired_places_leave_pickers_and_resolution(world, keeper):
    community = world.place(COMMUNITY_A)
    resident = world.users[Role.RESIDENT]
    estate = tree_actions.add_place(
        keeper, world.place("110101001001002"), level="estate", code="110101001001002E05", name="丁香园"
    )
    building = tree_actions.add_place(
        keeper, world.place(ESTATE_A), level="building", code=f"{ESTATE_A}B02", name="2号楼"
    )

    def offered() -> set[int]:
        return {p.pk for level in picker_levels(resident, community) for p in level["options"]}

    assert estate.pk in offered()
    assert resolve_address("甲园小区2号楼").place.pk == building.pk
    tree_actions.retire_place(keeper, estate, "拆迁")
    tree_actions.retire_place(keeper, building, "拆除")
    assert estate.pk not in offered()
    assert resolve_address("甲园小区2号楼").place.code == ESTATE_A
    gone = resolve_address("丁香园")
    assert gone is None or gone.place.pk != estate.pk
    assert resolve_point(116.15, 39.9).code == "110101001001002"
    tree_actions.retire_place(world.users[Role.DISTRICT_COMMAND], world.place("110101001001002"), "网格调整")
    assert resolve_point(116.15, 39.9) is None
