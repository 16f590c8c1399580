"""People for the registry page tests, registered through the actions as a community worker would: an elder
living alone with a phone and a care tag, her grandson (a minor), their household at side A's room 101, and a
person on side B that side A's readers must never reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client

from linli.accounts.choices import Role
from linli.people.actions import care, registry
from linli.people.models import Household, Person
from linli.places.models import Place

from .conftest import id_number

ELDER_ID = id_number("110101", "19450305", "124")
ELDER_PHONE = "13800001234"
CHILD_ID = id_number("110101", "20180101", "458")
OTHER_PHONE = "13900005678"
READERS = (
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
)
REVEALERS = frozenset({Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER})
KEEPERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
NOT_READERS = (Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER, Role.RESIDENT, Role.VOLUNTEER, Role.AUDITOR)


@dataclass
class Folk:
    elder: Person
    child: Person
    household: Household
    other: Person
    house: Place
    other_house: Place


def make_folk(world: Any, houses: dict[str, Place], keeper: Any) -> Folk:
    house = houses["a101"]
    elder = registry.register_person(
        keeper, place=house, name="王秀英", id_number=ELDER_ID, phone=ELDER_PHONE, residency="户籍", ethnicity="汉族"
    )
    child = registry.register_person(keeper, place=house, name="王小明", id_number=CHILD_ID, residency="户籍")
    household = registry.create_household(keeper, house=house, number="H001")
    registry.move_person(keeper, elder, household=household, relation="head")
    registry.move_person(keeper, child, household=household, relation="grandchild")
    care.add_tag(keeper, elder, tag="living_alone_elderly", source="home_visit")
    other = registry.register_person(
        world.outsiders[Role.COMMUNITY_WORKER],
        place=houses["b101"],
        name="李四",
        phone=OTHER_PHONE,
        residency="流动",
        birth_date="1990-01-01",
    )
    for person in (elder, child, other):
        person.refresh_from_db()
    return Folk(elder, child, household, other, house, houses["b101"])


def client_for(user: Any) -> Client:
    from conftest import SecondFactorClient

    client = SecondFactorClient()
    client.force_login(user)
    return client
