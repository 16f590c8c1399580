from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from conftest import SecondFactorClient, World
from linli.accounts.choices import Role
from linli.resources import actions
from linli.resources.choices import ResourceKind
from linli.resources.models import Resource

COMMUNITY_A = "110101001001"
GRID_A1 = "110101001001001"
STREET_A = "110101001000"
COMMUNITY_B = "110101002001"


@pytest.fixture
def keeper(world: World) -> Any:
    return world.users[Role.COMMUNITY_WORKER]


@pytest.fixture
def venue(world: World, keeper: Any) -> Resource:
    return actions.create_resource(
        keeper,
        kind=ResourceKind.VENUE,
        place=world.places[COMMUNITY_A],
        name="甲一活动室",
        capacity=40,
        opening_days=["0", "1", "2", "3", "4", "5", "6"],
        opens_at=datetime.time(8),
        closes_at=datetime.time(20),
        tags="会议，活动",
    )


def next_day(hour: int, minute: int = 0, days: int = 1) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def client_for(user: Any) -> SecondFactorClient:
    client = SecondFactorClient()
    client.force_login(user)
    return client


def give_home(world: World, keeper: Any, user: Any) -> Any:
    """A registry record in community A with the user's verified phone, and the user read afresh."""
    from linli.people.actions import registry

    registry.register_person(keeper, place=world.places[COMMUNITY_A], name="居民甲", phone=user.phone, residency="户籍")
    return type(user).objects.get(pk=user.pk)
