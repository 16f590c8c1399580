"""Fixtures for the closed loop: the base world's people, and a helper that submits a request."""

from __future__ import annotations

from typing import Any

import pytest

from linli.accounts.choices import Role
from linli.cases.actions import Submission, submit_request
from linli.cases.models import Case

BUILDING_A = "110101001001001E01B01"


@pytest.fixture
def people(world: Any) -> dict[str, Any]:
    u = world.users
    return {
        "resident": u[Role.RESIDENT],
        "dispatcher": u[Role.STREET_DISPATCHER],
        "handler": u[Role.DEPARTMENT_HANDLER],
        "secretary": u[Role.COMMUNITY_SECRETARY],
        "grid": u[Role.GRID_WORKER],
        "district": u[Role.DISTRICT_COMMAND],
        "other_handler": world.outsiders[Role.DEPARTMENT_HANDLER],
        "other_resident": world.outsiders[Role.RESIDENT],
    }


def submit(world: Any, who: Any, text: str = "小区门口路面脏乱，垃圾堆放多日无人清理", **extra: Any) -> Case:
    extra.setdefault("place", world.places[BUILDING_A])
    extra.setdefault("consent", True)
    extra.setdefault("channel", "web")
    case, created = submit_request(who, Submission(body=text, **extra))
    assert created
    return case
