from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from linli.accounts.choices import Role
from linli.people.models import House, Ownership, Person
from linli.places.actions import create_place
from linli.places.models import Place

ESTATE_A = "110101001001001E01"
BUILDING_A = "110101001001001E01B01"
BUILDING_B = "110101002001001E01B01"


@dataclass
class Estate:
    """Building A's houses and owners:

    | house | area (House) | owners (Ownership.area)                              |
    |-------|--------------|------------------------------------------------------|
    | 101   | 90.00        | 王小明 alone (no Ownership.area: the house's is used)  |
    | 102   | 80.00        | 李雷 0.5 (40.00) and 韩梅梅 0.5 (40.00): co-owners      |
    | 201   | 60.00        | 王小明 alone (60.00): his second part                  |
    | 202   | 100.00       | 某某置业 (the developer, unsold)                        |
    | 301   | 70.00        | 某某置业 (unsold)                                       |
    | 302   | 50.00        | nobody: skipped                                      |
    | 401   | none         | 张三 alone, no area anywhere: skipped                  |
    | 402   | 75.00        | 赵四 until last year: ended, so nobody now: skipped    |
    """

    building: Place
    houses: dict[str, Place] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)


def add_house(admin: Any, unit: Place, room: str, area: str | None) -> Place:
    house = create_place(admin, code=f"{unit.code}H{room}", name=f"{room}室", level="house", parent=unit)
    House.objects.create(place=house, area=Decimal(area) if area else None)
    return house


def person(name: str, at: Place) -> Person:
    return Person.objects.create(name=name, residency="registered", place=at)


@pytest.fixture
def estate(world: World) -> Estate:
    building = world.places[BUILDING_A]
    unit = create_place(world.admin, code=f"{BUILDING_A}U1", name="1单元", level="building_unit", parent=building)
    made = Estate(building)
    for room, area in (
        ("101", "90.00"),
        ("102", "80.00"),
        ("201", "60.00"),
        ("202", "100.00"),
        ("301", "70.00"),
        ("302", "50.00"),
        ("401", None),
        ("402", "75.00"),
    ):
        made.houses[room] = add_house(world.admin, unit, room, area)
    h = made.houses
    for key, name, at in (
        ("wang", "王小明", "101"),
        ("li", "李雷", "102"),
        ("han", "韩梅梅", "102"),
        ("zhang", "张三", "401"),
        ("zhao", "赵四", "402"),
    ):
        made.persons[key] = person(name, h[at])
    p = made.persons
    Ownership.objects.create(house=h["101"], person=p["wang"])
    Ownership.objects.create(house=h["102"], person=p["li"], share=Decimal("0.5"), area=Decimal("40.00"))
    Ownership.objects.create(house=h["102"], person=p["han"], share=Decimal("0.5"), area=Decimal("40.00"))
    Ownership.objects.create(house=h["201"], person=p["wang"], area=Decimal("60.00"))
    Ownership.objects.create(house=h["202"], organisation="某某置业")
    Ownership.objects.create(house=h["301"], organisation="某某置业", area=Decimal("70.00"))
    Ownership.objects.create(house=h["401"], person=p["zhang"])
    last_year = timezone.localdate() - datetime.timedelta(days=365)
    Ownership.objects.create(house=h["402"], person=p["zhao"], until=last_year)
    return made


@pytest.fixture
def runner(world: World) -> Any:
    return world.users[Role.COMMUNITY_WORKER]


from .cast_world import cast  # noqa: E402, F401  (casting: an open vote with its roll, cast_world.py)


@pytest.fixture(autouse=True)
def english_messages() -> Any:
    """The action tests match refusals by their English msgids; pages are read in Chinese by the browser tests."""
    from django.utils import translation

    with translation.override("en"):
        yield
