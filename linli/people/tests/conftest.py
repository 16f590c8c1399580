from __future__ import annotations

from typing import Any

import pytest

from conftest import World
from linli.accounts.choices import Role
from linli.places.actions import create_place
from linli.places.models import Place


def id_number(region: str, birth: str, sequence: str) -> str:
    """A GB 11643 number with its check digit: region (6), birth YYYYMMDD, sequence (3)."""
    body = region + birth + sequence
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


@pytest.fixture
def houses(world: World) -> dict[str, Place]:
    """Two houses under each side's building (unit 1, rooms 101 and 102), made by the admin."""
    made: dict[str, Place] = {}
    for side, building in (("a", "110101001001001E01B01"), ("b", "110101002001001E01B01")):
        unit = create_place(
            world.admin, code=f"{building}U1", name="1单元", level="building_unit", parent=world.places[building]
        )
        for room in ("101", "102"):
            made[f"{side}{room}"] = create_place(
                world.admin, code=f"{building}U1H{room}", name=f"{room}室", level="house", parent=unit
            )
    return made


@pytest.fixture
def keeper(world: World) -> Any:
    return world.users[Role.COMMUNITY_WORKER]
