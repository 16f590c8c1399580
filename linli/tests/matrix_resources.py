"""The resource library's part of the matrix world: entries and venue bookings on each side, made through
linli.resources' actions, so that every clause of its scope rule has rows on both sides of it.

| entry       | at                  | what else                                                        |
|-------------|---------------------|------------------------------------------------------------------|
| 矩阵甲室    | community A (venue) | booked by community worker A (confirmed) and grid worker A (requested) |
| 矩阵甲专家  | grid A1 (expert)    | kept by volunteer A, who reads it only as its steward            |
| 矩阵甲街金  | street A (fund)     | read by everyone of street A                                     |
| 矩阵乙室    | community B (venue) | booked by community worker B                                     |
| 矩阵乙专家  | community B         | also serves community A: read there too                          |
| 矩阵丙金    | community X (fund)  | 西城区                                                           |
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from linli.accounts.choices import Role
from linli.resources import actions
from linli.resources.booking import book_venue
from linli.resources.choices import ResourceKind


def _slot(hour: int) -> tuple[datetime.datetime, datetime.datetime]:
    day = timezone.localdate() + datetime.timedelta(days=2)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return start, start + datetime.timedelta(hours=1)


def make_resources(world: Any) -> dict[str, Any]:
    users, outsiders, p = world.users, world.outsiders, world.places
    worker_a, worker_b = users[Role.COMMUNITY_WORKER], outsiders[Role.COMMUNITY_WORKER]
    made: dict[str, Any] = {
        "a_venue": actions.create_resource(worker_a, kind=ResourceKind.VENUE, place=p["110101001001"], name="矩阵甲室"),
        "a_expert": actions.create_resource(
            worker_a,
            kind=ResourceKind.EXPERT,
            place=p["110101001001001"],
            name="矩阵甲专家",
            steward=users[Role.VOLUNTEER],
            contact_phone="13912340001",
        ),
        "a_street": actions.create_resource(
            users[Role.DISTRICT_COMMAND], kind=ResourceKind.FUND, place=p["110101001000"], name="矩阵甲街金"
        ),
        "b_venue": actions.create_resource(worker_b, kind=ResourceKind.VENUE, place=p["110101002001"], name="矩阵乙室"),
        "b_expert": actions.create_resource(
            worker_b, kind=ResourceKind.EXPERT, place=p["110101002001"], name="矩阵乙专家", serves=[p["110101001001"]]
        ),
        "x_fund": actions.create_resource(
            outsiders[Role.DISTRICT_COMMAND], kind=ResourceKind.FUND, place=p["110102001001"], name="矩阵丙金"
        ),
    }
    start, end = _slot(9)
    made["a_booking"] = book_venue(worker_a, made["a_venue"], starts_at=start, ends_at=end, purpose="矩阵甲会")
    start, end = _slot(10)
    made["a_request"] = book_venue(
        users[Role.GRID_WORKER], made["a_venue"], starts_at=start, ends_at=end, purpose="矩阵甲请"
    )
    start, end = _slot(9)
    made["b_booking"] = book_venue(worker_b, made["b_venue"], starts_at=start, ends_at=end, purpose="矩阵乙会")
    return made
