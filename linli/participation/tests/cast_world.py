"""A small open owners' vote on side A's estate of the fixture world, built straight through the ORM (the roll
freezing and the lifecycle actions are another part's): three voters on the roll — one owner with an account
(the world's side-A resident), two co-owners of one part with accounts of their own, and the developer's
unsold parts — and a registered neighbour who can be made a proxy. Staff are the world's side-A community
worker and secretary, the two-hat community worker, and side B's community worker (outside)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD, World
from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.participation.choices import AGREE, QuestionKind, VoteState
from linli.participation.models_votes import Question, RollEntry, RollOwner, Vote
from linli.people.models import Person

ESTATE_A = "110101001001001E01"


@dataclass
class CastWorld:
    world: World
    vote: Vote
    questions: list[Question]
    owner: Any  # the side-A resident's account: owner of entry `single`
    co_one: Any
    co_two: Any
    neighbour: Any  # a registered person's account, not on the roll
    persons: dict[str, Person]
    single: RollEntry
    couple: RollEntry
    developer: RollEntry

    def staff(self, role: str = Role.COMMUNITY_WORKER) -> Any:
        return self.world.users[role]

    def all_agree(self) -> dict[str, str]:
        return {str(q.pk): AGREE for q in self.questions}


def resident(username: str, phone: str) -> Any:
    return create_user(None, username=username, role=Role.RESIDENT, password=PASSWORD, phone=phone)


def make_vote(world: World, *, title: str = "更换电梯", place_code: str = ESTATE_A, **fields: Any) -> Vote:
    now = timezone.now()
    values: dict[str, Any] = {
        "state": VoteState.OPEN,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=3),
        "opened_at": now - timedelta(hours=1),
        **fields,
    }
    return Vote.objects.create(title=title, place=world.places[place_code], **values)


def person(place: Any, name: str, phone: str) -> Person:
    return Person.objects.create(name=name, phone=phone, place=place, residency="resident")


@pytest.fixture
def cast(world: World) -> CastWorld:
    estate = world.places[ESTATE_A]
    owner = world.users[Role.RESIDENT]
    co_one, co_two = resident("co_one", "13900000001"), resident("co_two", "13900000002")
    neighbour = resident("neighbour", "13900000003")
    persons = {
        "owner": person(estate, "张三", owner.phone),
        "co_one": person(estate, "李四", co_one.phone),
        "co_two": person(estate, "王五", co_two.phone),
        "neighbour": person(estate, "赵六", neighbour.phone),
    }
    vote = make_vote(world)
    questions = [
        Question.objects.create(vote=vote, position=1, text="是否更换电梯", kind=QuestionKind.ORDINARY),
        Question.objects.create(vote=vote, position=2, text="是否使用维修资金", kind=QuestionKind.MAJOR),
    ]
    single = RollEntry.objects.create(
        vote=vote, owner_key=f"p:{persons['owner'].pk}", label="张三", area=Decimal("90.50"), houses=["1-1-101"]
    )
    RollOwner.objects.create(entry=single, person=persons["owner"])
    couple = RollEntry.objects.create(
        vote=vote,
        owner_key=f"p:{persons['co_one'].pk},{persons['co_two'].pk}",
        label="李四、王五",
        area=Decimal("120.00"),
        houses=["1-1-102"],
    )
    RollOwner.objects.create(entry=couple, person=persons["co_one"])
    RollOwner.objects.create(entry=couple, person=persons["co_two"])
    developer = RollEntry.objects.create(
        vote=vote, owner_key="o:dev", label="甲园置业有限公司", area=Decimal("300.00"), houses=["1-2-201", "1-2-202"]
    )
    RollOwner.objects.create(entry=developer, organisation="甲园置业有限公司")
    Vote.objects.filter(pk=vote.pk).update(roll_owners=3, roll_area=Decimal("510.50"))
    vote.refresh_from_db()
    return CastWorld(
        world=world,
        vote=vote,
        questions=questions,
        owner=owner,
        co_one=co_one,
        co_two=co_two,
        neighbour=neighbour,
        persons=persons,
        single=single,
        couple=couple,
        developer=developer,
    )
