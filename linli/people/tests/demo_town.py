"""A small town for the demo population's tests: the test world's estates with generated buildings and
houses (the demo city's own layout, through the place import), so a few hundred people fit in two
communities, one of them with a second estate for the developer's unsold houses."""

from __future__ import annotations

from typing import Any

from linli.core.tabular import Table
from linli.places.actions import import_place_table

ESTATES = {
    "110101001001001E01": 3,  # 甲园小区 (building B01 exists; B02.. are added)
    "110101001001002E01": 2,  # a second estate in community A
    "110101002001001E01": 3,  # 乙园小区 in community B
}


def add_houses(world: Any, floors: int = 6, doors: int = 2, units: int = 2) -> int:
    """Buildings under the world's estates; returns how many houses they hold."""
    rows: list[dict[str, Any]] = [
        {"code": "110101001001002E01", "name": "甲二小区", "level": "estate", "parent_code": "110101001001002"}
    ]
    houses = 0
    for estate, buildings in ESTATES.items():
        for b in range(2, 2 + buildings):
            building = f"{estate}B{b:02d}"
            rows.append({"code": building, "name": f"{b}号楼", "level": "building", "parent_code": estate})
            for u in range(1, units + 1):
                unit = f"{building}U{u}"
                rows.append({"code": unit, "name": f"{u}单元", "level": "building_unit", "parent_code": building})
                for floor in range(1, floors + 1):
                    for door in range(1, doors + 1):
                        rows.append(
                            {"code": f"{unit}H{floor}{door:02d}", "name": f"{floor}{door:02d}", "level": "house",
                             "parent_code": unit}
                        )  # fmt: skip
                        houses += 1
    columns = ["code", "name", "level", "parent_code"]
    table = Table(columns=columns, rows=[(i, {c: r.get(c, "") for c in columns}) for i, r in enumerate(rows, 2)])
    import_place_table(world.admin, table, source="test town")
    return houses
