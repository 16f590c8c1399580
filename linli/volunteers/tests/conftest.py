from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import World
from linli.accounts.choices import Role
from linli.people.actions.registry import register_person
from linli.people.models import Person
from linli.places.models import Place
from linli.volunteers.actions.activities import publish_activity
from linli.volunteers.models import Activity

COMMUNITY_A = "110101001001"
BUILDING_A = "110101001001001E01B01"
COMMUNITY_B = "110101002001"


@dataclass
class Town:
    world: World
    keeper: Any  # community worker of community A
    community: Place
    building: Place
    resident: Any  # a resident user whose phone matches `person`
    person: Person

    def activity(self, *, start_in: int = 60 * 24, minutes: int = 120, **fields: Any) -> Activity:
        begins = timezone.now() + datetime.timedelta(minutes=start_in)
        values: dict[str, Any] = {"title": "社区清洁日", "needed": 3, **fields}
        return publish_activity(
            values.pop("actor", self.keeper),
            community=values.pop("community", self.community),
            starts_at=begins,
            ends_at=begins + datetime.timedelta(minutes=minutes),
            **values,
        )


@pytest.fixture
def town(world: World) -> Town:
    keeper = world.users[Role.COMMUNITY_WORKER]
    resident = world.users[Role.RESIDENT]
    building = world.places[BUILDING_A]
    person = register_person(keeper, place=building, name="王志愿", residency="resident", phone=resident.phone)
    return Town(world, keeper, world.places[COMMUNITY_A], building, resident, person)


@pytest.fixture
def volunteer(town: Town) -> Any:
    from linli.volunteers.actions.volunteers import sign_up_volunteer

    return sign_up_volunteer(town.resident)


@pytest.fixture(autouse=True)
def english_messages() -> Any:
    """Action tests match refusals by their English msgids; the pages are read in Chinese by the browser tests."""
    from django.utils import translation

    with translation.override("en"):
        yield
