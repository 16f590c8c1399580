"""A small deliberation world over the root conftest's `world`: a resident registered at a house of side A's
building (so the topic scope finds their home), a topic raised there, and helpers that walk a topic along."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.participation.actions import topics
from linli.participation.choices import VoteState
from linli.participation.models import Topic
from linli.participation.models_votes import Question, Vote
from linli.people.actions import registry
from linli.places.actions import create_place
from linli.places.models import Place

BUILDING_A = "110101001001001E01B01"
ESTATE_A = "110101001001001E01"
COMMUNITY_A = "110101001001"
BUILDING_B = "110101002001001E01B01"


@dataclass
class TopicWorld:
    world: Any
    house: Place
    resident: Any  # lives in house A
    outsider: Any  # a resident with no home on record
    worker: Any  # community worker of community A
    worker_b: Any  # community worker of community B
    grid: Any  # grid worker of A's first grid

    def place(self, code: str) -> Place:
        return self.world.places[code]

    def raise_one(self, title: str = "楼道加装扶手", **kw: Any) -> Topic:
        kw.setdefault("place", self.place(BUILDING_A))
        kw.setdefault("body", "老人上下楼不便，建议加装扶手。")
        return topics.raise_topic(self.resident, title=title, **kw)

    def proposed(self, **kw: Any) -> Topic:
        topic = self.raise_one(**kw)
        topics.open_discussion(self.worker, topic)
        return topics.draft_proposal(self.worker, topic, "每层加装不锈钢扶手，费用由公共收益支出。")

    def decided(self, outcome: str = "adopted", **kw: Any) -> Topic:
        topic = self.proposed(**kw)
        topics.decide_by_committee(self.worker, topic, outcome, "同意加装。", "居委会2026年第3次会议纪要：一致同意。")
        return topics.publish_result(self.worker, topic)

    def vote(self, state: str = VoteState.DRAFT, place: str = ESTATE_A, questions: int = 2) -> Vote:
        now = timezone.now()
        vote = Vote.objects.create(
            title="加装扶手表决",
            place=self.place(place),
            state=state,
            opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=6),
            created_by=self.worker,
        )
        for n in range(1, questions + 1):
            Question.objects.create(vote=vote, position=n, text=f"问题{n}", kind="ordinary")
        return vote


def result_file(vote: Vote, passed: list[bool]) -> dict[str, Any]:
    """A result dict shaped like `manage.py vote_result`'s file (only what the topic reads)."""
    questions = list(vote.questions.order_by("position"))
    return {
        "vote": vote.pk,
        "title": vote.title,
        "questions": [
            {"id": q.pk, "text": q.text, "kind": q.kind, "options": ["同意", "反对", "弃权"]} for q in questions
        ],
        "tally": {
            str(q.pk): {
                "participating": {"owners": 30, "area": "2400.50"},
                "by_option": {
                    "同意": {"owners": 20, "area": "1700.00"},
                    "反对": {"owners": 8, "area": "600.50"},
                    "弃权": {"owners": 2, "area": "100.00"},
                },
            }
            for q in questions
        },
        "outcome": {
            str(q.pk): {"participation_ok": True, "passed": ok} for q, ok in zip(questions, passed, strict=True)
        },
    }


@pytest.fixture(name="tw")
def tw_fixture(world: Any) -> TopicWorld:
    users, outsiders = world.users, world.outsiders
    worker = users[Role.COMMUNITY_WORKER]
    unit = create_place(
        world.admin, code=f"{BUILDING_A}U1", name="1单元", level="building_unit", parent=world.places[BUILDING_A]
    )
    house = create_place(world.admin, code=f"{BUILDING_A}U1H101", name="101室", level="house", parent=unit)
    resident = users[Role.RESIDENT]
    resident.display_name = "王小明"
    resident.save()
    registry.register_person(
        worker, place=house, name="王小明", phone=resident.phone, residency="户籍", birth_date="1970-03-04"
    )
    return TopicWorld(
        world=world,
        house=house,
        resident=resident,
        outsider=outsiders[Role.RESIDENT],
        worker=worker,
        worker_b=outsiders[Role.COMMUNITY_WORKER],
        grid=users[Role.GRID_WORKER],
    )
