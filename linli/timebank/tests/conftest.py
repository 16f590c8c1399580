from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import World
from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.people.actions import registry
from linli.people.models import Person
from linli.places.models import Place


@dataclass
class Bank:
    world: World
    a: Place  # community A
    b: Place  # community B
    worker: User  # community worker of A
    worker_b: User
    ann_user: User  # resident whose phone is on ann's record
    bob_user: User
    ann: Person
    bob: Person
    cat: Person  # no phone, lives in A
    dan: Person  # lives in B


@pytest.fixture
def bank(world: World) -> Bank:
    worker, worker_b = world.users[Role.COMMUNITY_WORKER], world.outsiders[Role.COMMUNITY_WORKER]
    a, b = world.places["110101001001"], world.places["110101002001"]
    ann_user = create_user(None, username="ann", role=Role.RESIDENT, phone="13700000001")
    bob_user = create_user(None, username="bob", role=Role.RESIDENT, phone="13700000002")

    def person(keeper: Any, place: Place, name: str, phone: str = "") -> Person:
        return registry.register_person(
            keeper, place=place, name=name, residency="常住", birth_date="1980-01-01", phone=phone
        )

    return Bank(
        world=world,
        a=a,
        b=b,
        worker=worker,
        worker_b=worker_b,
        ann_user=ann_user,
        bob_user=bob_user,
        ann=person(worker, world.places["110101001001001"], "王安", "13700000001"),
        bob=person(worker, world.places["110101001001001"], "李博", "13700000002"),
        cat=person(worker, world.places["110101001001002"], "张才"),
        dan=person(worker_b, world.places["110101002001001"], "赵丹"),
    )


@pytest.fixture(autouse=True)
def english_messages() -> Any:
    """Action tests match refusals by their English msgids; the pages are read in Chinese by the browser tests."""
    from django.utils import translation

    with translation.override("en"):
        yield
