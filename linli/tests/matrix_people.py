"""The registry's part of the matrix world: people, households and houses on each side, made through the
registry and care actions where there is one (the purge and the import have none yet: their rows are written
as those jobs would write them), so that every clause of the registry's scope has rows on both sides of it.
Used by conftest's `matrix_world`, and by the API tests as a ready registry.

| key      | lives at                   | what else                                                          |
|----------|----------------------------|--------------------------------------------------------------------|
| a_adult  | house A (A grid 1)         | head of household A; owns half of house A and all of house B; elderly living alone, visited by grid A; party member; consent |
| a_minor  | house A                    | a child (sensitive record) of household A; child in difficulty    |
| a_grid2  | A grid 2 (no house)        | rents house A: a house part in grid 1 whose person is in grid 2    |
| a_left   | house A                    | has left (not current)                                             |
| mover    | house B                    | was in household A, moved to household B by district A: a past membership of A's household that goes with a person now in B |
| b_adult  | house B (B grid 1)         | head of household B; tenant of house B; disabled, visited by grid B; party member; consent |
| x_adult  | house X (西城区)             | head of household X; owns house X; advanced age                    |

Purged counts for communities A, B and X; registry imports uploaded by community workers A and B.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.people.actions import care, registry
from linli.people.models import Consent, House, Household, PartyMembership, Person, PurgedCount, RegistryImport
from linli.people.tests.conftest import id_number
from linli.places.actions import create_place
from linli.places.models import Place

BUILDINGS = {
    "a": ("110101001001001E01B01", "甲"),
    "b": ("110101002001001E01B01", "乙"),
    "x": ("110102001001001E01B01", "丙"),
}
COMMUNITIES = {"a": "110101001001", "b": "110101002001", "x": "110102001001"}
GRID_A2 = "110101001001002"
PHONES = {"a_adult": "13800138001", "a_minor": "13800138003", "a_grid2": "13800138002", "b_adult": "13900139001"}


MINOR_BIRTH = f"{timezone.localdate().year - 10}0601"
NUMBERS = {
    "a_adult": id_number("110101", "19500305", "123"),
    "a_minor": id_number("110101", MINOR_BIRTH, "234"),
    "b_adult": id_number("110101", "19700101", "345"),
    "x_adult": id_number("110102", "19360808", "456"),
}


@dataclass
class People:
    houses: dict[str, Place] = field(default_factory=dict)
    households: dict[str, Household] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.persons[key]


def _register(actor: Any, place: Place, name: str, key: str, **fields: Any) -> Person:
    return registry.register_person(
        actor, place=place, name=name, id_number=NUMBERS.get(key, ""), phone=PHONES.get(key, ""), **fields
    )


def make_people(world: Any) -> People:
    users, outsiders = world.users, world.outsiders
    keepers = {
        "a": users[Role.COMMUNITY_WORKER],
        "b": outsiders[Role.COMMUNITY_WORKER],
        "x": outsiders[Role.DISTRICT_COMMAND],
    }
    people = People()
    for side, (building, mark) in BUILDINGS.items():
        unit = create_place(
            world.admin,
            code=f"{building}U1",
            name=f"矩阵{mark}单元",
            level="building_unit",
            parent=world.places[building],
        )
        house = create_place(world.admin, code=f"{building}U1H101", name=f"矩阵{mark}101室", level="house", parent=unit)
        people.houses[side] = house
        registry.update_house(keepers[side], house, area="89.50", use="owner_occupied" if side != "b" else "rented")
        people.households[side] = registry.create_household(keepers[side], house=house, number=f"矩阵户{mark}")
    houses, households, keeper_a, keeper_b = people.houses, people.households, keepers["a"], keepers["b"]

    p = people.persons
    p["a_adult"] = _register(keeper_a, houses["a"], "矩阵甲成人", "a_adult", residency="户籍")
    p["a_minor"] = _register(keeper_a, houses["a"], "矩阵甲少年", "a_minor", residency="户籍")
    p["a_grid2"] = _register(
        keeper_a, world.places[GRID_A2], "矩阵甲二格人", "a_grid2", residency="流动", birth_date="1990-02-03"
    )
    p["a_left"] = _register(keeper_a, houses["a"], "矩阵甲离开人", "a_left", residency="常住", birth_date="1960-01-01")
    p["mover"] = _register(keeper_a, houses["a"], "矩阵迁出人", "mover", residency="常住", birth_date="1980-05-05")
    p["b_adult"] = _register(keeper_b, houses["b"], "矩阵乙成人", "b_adult", residency="常住")
    p["x_adult"] = _register(keepers["x"], houses["x"], "矩阵丙成人", "x_adult", residency="户籍")

    registry.move_person(keeper_a, p["a_adult"], household=households["a"], relation="head")
    registry.move_person(keeper_a, p["a_minor"], household=households["a"], relation="child")
    registry.move_person(keeper_a, p["mover"], household=households["a"], relation="other_relative")
    registry.move_person(users[Role.DISTRICT_COMMAND], p["mover"], household=households["b"], relation="sibling")
    registry.move_person(keeper_b, p["b_adult"], household=households["b"], relation="head")
    registry.move_person(keepers["x"], p["x_adult"], household=households["x"], relation="head")
    registry.person_left(keeper_a, p["a_left"], reason="迁往外省")

    registry.add_owner(keeper_a, houses["a"], person=p["a_adult"], share="0.5", area="44.75", since="2001-01-01")
    registry.add_owner(keeper_a, houses["a"], organisation="矩阵开发商", share="0.5")
    registry.add_owner(keeper_b, houses["b"], person=p["a_adult"], share="1")
    registry.add_owner(keepers["x"], houses["x"], person=p["x_adult"], share="1")
    registry.add_tenant(keeper_a, houses["a"], person=p["a_grid2"], since="2024-03-01")
    registry.add_tenant(keeper_b, houses["b"], person=p["b_adult"])

    care.add_tag(keeper_a, p["a_adult"], tag="living_alone_elderly", source="civil_affairs")
    care.add_tag(keeper_a, p["a_minor"], tag="child_in_difficulty", source="community_assessment")
    care.add_tag(keeper_b, p["b_adult"], tag="disabled", source="disabled_federation")
    care.add_tag(keepers["x"], p["x_adult"], tag="advanced_age", source="civil_affairs")
    care.log_visit(users[Role.GRID_WORKER], p["a_adult"], outcome="well", note="矩阵走访甲")
    care.log_visit(outsiders[Role.GRID_WORKER], p["b_adult"], outcome="needs_attention", note="矩阵走访乙")

    today = timezone.localdate()
    for key, side in (("a_adult", "a"), ("b_adult", "b")):
        community = world.places[COMMUNITIES[side]]
        PartyMembership.objects.create(
            person=p[key], organisation=f"矩阵{BUILDINGS[side][1]}支部", reported_to=community, reported_on=today
        )
        Consent.objects.create(
            person=p[key], purpose="registry", channel="paper", given_on=today, recorded_by=keepers[side]
        )
    # What the retention purge leaves of the people it removed, and what an upload leaves behind.
    for code in COMMUNITIES.values():
        PurgedCount.objects.create(
            community=world.places[code], left_year=today.year - 6, residency="floating", age_band="18-34", count=3
        )
    for side in ("a", "b"):
        RegistryImport.objects.create(
            kind="persons",
            filename=f"矩阵{BUILDINGS[side][1]}导入.xlsx",
            scope_place=world.places[COMMUNITIES[side]],
            created_by=keepers[side],
            total_rows=2,
            checked_rows=2,
            status="done",
            finished_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    assert House.objects.count() == 3
    for key, person in p.items():
        p[key] = Person.objects.get(pk=person.pk)
    return people
