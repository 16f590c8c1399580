"""Distance on the place tree, counted from the need's side."""

from __future__ import annotations

from linli.places.distance import ancestry, common_path, steps_up
from linli.places.models import SEGMENT_WIDTH


def seg(*ids: int) -> str:
    return "".join(str(i).zfill(SEGMENT_WIDTH) for i in ids)


def test_steps_up_from_the_need() -> None:
    building = seg(1, 2, 3, 4)
    assert ancestry(building) == [seg(1), seg(1, 2), seg(1, 2, 3), building]
    assert steps_up(building, seg(1, 2, 3, 4, 5)) == 0  # a house in the building
    assert steps_up(building, building) == 0
    assert steps_up(building, seg(1, 2, 3, 9)) == 1  # the next building of the estate
    assert steps_up(building, seg(1, 2, 3)) == 1  # only the estate recorded
    assert steps_up(building, seg(1, 7)) == 3
    assert common_path(building, seg(1, 2, 8)) == seg(1, 2)
    assert common_path(building, seg(5)) == ""
    assert steps_up(building, seg(5)) == 4
