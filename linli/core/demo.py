"""The demo city: 东城区 of Beijing on its real division codes, with generated grids, estates, buildings,
units, houses, organisations, the responsibility list and one account per role. Deterministic from a seed.

Real: the district, its 17 streets and 169 communities (linli/places/data/dongcheng.csv, 统计用区划代码
2023) and the 53 数字城管 classes inside linli/orgs/data/matters.csv. Generated: everything below the
community and all geometry (no official boundaries are published as data), laid out in a box around the
district so that maps and point lookups behave as they would on real polygons.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.accounts.two_factor import enrol_for_demo
from linli.core.tabular import Table
from linli.orgs.actions import import_matter_table, import_unit_table, record_admission
from linli.orgs.choices import DepartmentType, OwnerLevel, UnitKind
from linli.orgs.models import Matter, Unit
from linli.places.actions import import_place_table
from linli.places.choices import PlaceLevel
from linli.places.models import Place

# The district's rows of the 2023 division codes, bundled (linli/places/data/README.md).
DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "places" / "data" / "dongcheng.csv"
MATTERS_CSV = Path(__file__).resolve().parent.parent / "orgs" / "data" / "matters.csv"
DISTRICT_CODE = "110101000000"
# A box around 东城区 (WGS-84); the generated layout fills it.
WEST, EAST, NORTH, SOUTH = 116.383, 116.447, 39.972, 39.858
DEMO_PASSWORD = "Linli-demo-2026"  # noqa: S105 - published on purpose: demo accounts only
ESTATE_SUFFIXES = ("东里", "西里", "南里", "北里", "小区", "家园", "胡同", "大院", "新村", "花园")
DEPARTMENT_NAMES = {
    DepartmentType.URBAN_MANAGEMENT: "东城区城市管理委员会",
    DepartmentType.CITY_ENFORCEMENT: "东城区城市管理综合行政执法局",
    DepartmentType.HOUSING_CONSTRUCTION: "东城区住房和城市建设委员会",
    DepartmentType.HOUSING_MANAGEMENT: "东城区房屋管理中心",
    DepartmentType.HUMAN_RESOURCES: "东城区人力资源和社会保障局",
    DepartmentType.CIVIL_AFFAIRS: "东城区民政局",
    DepartmentType.MEDICAL_SECURITY: "东城区医疗保障局",
    DepartmentType.EDUCATION: "东城区教育委员会",
    DepartmentType.CULTURE_TOURISM: "东城区文化和旅游局",
    DepartmentType.SPORTS: "东城区体育局",
    DepartmentType.COMMERCE: "东城区商务局",
    DepartmentType.MARKET_REGULATION: "东城区市场监督管理局",
    DepartmentType.ECOLOGY_ENVIRONMENT: "北京市东城区生态环境局",
    DepartmentType.WATER: "东城区水务局",
    DepartmentType.LANDSCAPING: "东城区园林绿化局",
    DepartmentType.HEALTH: "东城区卫生健康委员会",
    DepartmentType.TRANSPORT: "东城区交通委员会",
    DepartmentType.TRAFFIC_POLICE: "东城交通支队",
    DepartmentType.PUBLIC_SECURITY: "东城公安分局",
    DepartmentType.PLANNING: "东城区规划和自然资源分局",
    DepartmentType.EMERGENCY_MANAGEMENT: "东城区应急管理局",
    DepartmentType.POWER_UTILITY: "东城供电公司",
    DepartmentType.GAS_UTILITY: "东城燃气服务中心",
    DepartmentType.HEATING_UTILITY: "东城热力服务中心",
}


@dataclass
class DemoSummary:
    places: dict[str, int] = field(default_factory=dict)
    units: int = 0
    matters: int = 0
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # role label, username, login, scope


def is_built() -> bool:
    return Place.objects.filter(code=DISTRICT_CODE).exists()


def division_rows(district_code: str = DISTRICT_CODE) -> list[dict[str, Any]]:
    """东城区 and everything under it, plus 北京市 and 市辖区 above it, from the division file."""
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = list(csv.DictReader(handle))
    by_code = {r["code"]: r for r in rows}
    keep = {district_code}
    changed = True
    while changed:
        changed = False
        for row in rows:
            if row["parent_code"] in keep and row["code"] not in keep:
                keep.add(row["code"])
                changed = True
    ancestors = []
    code = by_code[district_code]["parent_code"]
    while code:
        ancestors.append(code)
        code = by_code[code]["parent_code"]
    keep.update(ancestors)
    return [r for r in rows if r["code"] in keep]


def _box(west: float, north: float, east: float, south: float) -> dict[str, Any]:
    ring = [[west, north], [east, north], [east, south], [west, south], [west, north]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _split(west: float, north: float, east: float, south: float, n: int) -> list[tuple[float, float, float, float]]:
    """n cells filling the box, in rows north to south and columns west to east (the grid-code order)."""
    cols = math.ceil(math.sqrt(n * (east - west) / max(north - south, 1e-9)))
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = cols if r < rows - 1 else n - cols * (rows - 1)
        width = (east - west) / in_row
        height = (north - south) / rows
        cells.append((west + c * width, north - r * height, west + (c + 1) * width, north - (r + 1) * height))
    return cells


def short_name(name: str) -> str:
    for suffix in ("社区居委会", "社区居民委员会", "居委会", "社区", "街道办事处", "街道", "地区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def generated_rows(
    divisions: list[dict[str, Any]],
    rng: random.Random,
    district_code: str = DISTRICT_CODE,
    bounds: tuple[float, float, float, float] = (WEST, NORTH, EAST, SOUTH),
) -> list[dict[str, Any]]:
    streets = sorted((r for r in divisions if r["level"] == "street"), key=lambda r: r["code"])
    communities: dict[str, list[dict[str, Any]]] = {}
    for r in divisions:
        if r["level"] == "community":
            communities.setdefault(r["parent_code"], []).append(r)
    rows: list[dict[str, Any]] = []
    geometry: dict[str, dict[str, Any]] = {district_code: _box(*bounds)}
    for street, cell in zip(streets, _split(*bounds, len(streets)), strict=True):
        geometry[street["code"]] = _box(*cell)
        members = sorted(communities.get(street["code"], []), key=lambda r: r["code"])
        for community, ccell in zip(members, _split(*cell, len(members)), strict=True):
            geometry[community["code"]] = _box(*ccell)
            rows.extend(_grids_for(community, ccell, rng))
    for row in divisions:
        row["geometry"] = geometry.get(row["code"], "")
    return rows


def _grids_for(
    community: dict[str, Any], cell: tuple[float, float, float, float], rng: random.Random
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    base = short_name(community["name"])
    n_grids = rng.randint(2, 4)
    for g, gcell in enumerate(_split(*cell, n_grids), start=1):
        grid_code = f"{community['code']}{g:03d}"
        grid: dict[str, Any] = {
            "code": grid_code,
            "name": f"{base}第{g}网格",
            "level": PlaceLevel.GRID,
            "parent_code": community["code"],
            "geometry": _box(*gcell),
            "contact_phone": f"139{rng.randint(10_000_000, 99_999_999)}",
            "households": 0,
        }
        rows.append(grid)
        west, north, east, south = gcell
        n_estates = rng.randint(1, 3)
        # Urban grids hold roughly 150–500 households (DESIGN §2): buildings are added to the grid's
        # estates in turn until its households reach a target drawn from that range.
        target = rng.randint(150, 320)
        estate_codes: list[str] = []
        for e in range(1, n_estates + 1):
            estate_code = f"{grid_code}E{e:02d}"
            estate_codes.append(estate_code)
            lon = west + (east - west) * (e - 0.5) / n_estates
            lat = (north + south) / 2
            suffix = ESTATE_SUFFIXES[(g * 3 + e) % len(ESTATE_SUFFIXES)]
            rows.append(
                {
                    "code": estate_code,
                    "name": f"{base}{suffix}" if e == 1 and g == 1 else f"{base}{suffix}{g}{e}区",
                    "level": PlaceLevel.ESTATE,
                    "parent_code": grid_code,
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                }
            )
        buildings = dict.fromkeys(estate_codes, 0)
        while grid["households"] < target:
            estate_code = estate_codes[sum(buildings.values()) % n_estates]
            buildings[estate_code] += 1
            grid["households"] += _building(rows, estate_code, buildings[estate_code], rng)
    return rows


def _building(rows: list[dict[str, Any]], estate_code: str, number: int, rng: random.Random) -> int:
    """Append one building with its units and houses; return how many houses it has."""
    building_code = f"{estate_code}B{number:02d}"
    rows.append(
        {"code": building_code, "name": f"{number}号楼", "level": PlaceLevel.BUILDING, "parent_code": estate_code}
    )
    floors = rng.choice((5, 6, 6, 7))
    doors = rng.choice((2, 2, 3))
    houses = 0
    for u in range(1, rng.randint(1, 3) + 1):
        unit_code = f"{building_code}U{u}"
        rows.append(
            {"code": unit_code, "name": f"{u}单元", "level": PlaceLevel.BUILDING_UNIT, "parent_code": building_code}
        )
        for floor in range(1, floors + 1):
            for door in range(1, doors + 1):
                rows.append(
                    {
                        "code": f"{unit_code}H{floor}{door:02d}",
                        "name": f"{floor}{door:02d}",
                        "level": PlaceLevel.HOUSE,
                        "parent_code": unit_code,
                    }
                )
                houses += 1
    return houses


def _table(rows: Iterable[dict[str, Any]], columns: list[str]) -> Table:
    return Table(
        columns=columns, rows=[(i, {c: row.get(c, "") for c in columns}) for i, row in enumerate(rows, start=2)]
    )


def build(seed: int = 20261123, stdout: Any = None) -> DemoSummary:
    rng = random.Random(seed)
    summary = DemoSummary()
    with transaction.atomic():
        admin = create_user(
            None,
            username="admin",
            role=Role.PLATFORM_ADMIN,
            password=DEMO_PASSWORD,
            display_name="平台管理员",
            superuser=True,
        )
        divisions = division_rows()
        generated = generated_rows(divisions, rng)
        columns = ["code", "name", "level", "parent_code", "geometry", "households", "contact_phone"]
        import_place_table(admin, _table(divisions, columns), source=f"{DIVISIONS_CSV.name} (东城区)")
        import_place_table(admin, _table(generated, columns), source="demo generator")
        summary.places = dict(Place.objects.values_list("level").annotate(n=Count("id")).order_by())
        with MATTERS_CSV.open(encoding="utf-8") as handle:
            matter_rows = list(csv.DictReader(handle))
        import_matter_table(admin, _table(matter_rows, list(matter_rows[0].keys())), source=MATTERS_CSV.name)
        summary.matters = Matter.objects.count()
        _admit(admin)
        summary.units = _units(admin, rng)
        summary.accounts = _accounts(admin, rng)
        enrol_for_demo(User.objects.all())  # TOTP for the roles that require it; secrets printed at start
    return summary


def _admit(admin: User) -> None:
    # All community matters but the last two are admitted, so the demo shows both paths of 准入.
    community_matters = list(Matter.objects.filter(owner_level=OwnerLevel.COMMUNITY).order_by("code"))
    for matter in community_matters[:-2]:
        record_admission(
            admin,
            matter,
            approved_by="东城区社区工作事项准入审核工作组",
            approved_on=datetime.date(2026, 3, 1),
            document="东社准〔2026〕1号",
            people="街道下沉社区专职工作者1名",
            powers="事项办理和协调权限随事项下放",
            funds="社区公益事业补助资金按户拨付",
        )


def _units(admin: User, rng: random.Random) -> int:
    district = Place.objects.get(code=DISTRICT_CODE)
    rows: list[dict[str, str]] = [
        {
            "code": "U-CMD",
            "name": "东城区接诉即办指挥中心",
            "kind": UnitKind.COMMAND_CENTRE,
            "jurisdiction_codes": district.code,
        }
    ]
    for dtype, name in DEPARTMENT_NAMES.items():
        rows.append(
            {
                "code": f"U-D-{dtype}",
                "name": name,
                "kind": UnitKind.DISTRICT_DEPARTMENT,
                "department_type": dtype,
                "jurisdiction_codes": district.code,
                "parent_code": "U-CMD",
            }
        )
    for street in Place.objects.filter(level=PlaceLevel.STREET).order_by("code"):
        rows.append(
            {
                "code": f"U-S-{street.code}",
                "name": f"{street.name}办事处",
                "kind": UnitKind.STREET_OFFICE,
                "jurisdiction_codes": street.code,
            }
        )
    for community in Place.objects.filter(level=PlaceLevel.COMMUNITY).select_related("parent").order_by("code"):
        name = community.name if community.name.endswith(("居委会", "委员会")) else f"{community.name}居委会"
        rows.append(
            {
                "code": f"U-C-{community.code}",
                "name": name,
                "kind": UnitKind.COMMUNITY_COMMITTEE,
                "jurisdiction_codes": community.code,
                "parent_code": f"U-S-{community.parent.code if community.parent else ''}",
            }
        )
    estates = list(Place.objects.filter(level=PlaceLevel.ESTATE).values_list("code", flat=True).order_by("code"))
    companies = ("首开物业", "东房物业", "金隅物业", "天岳恒物业", "北房物业", "京城物业")
    share = math.ceil(len(estates) / len(companies))
    for i, company in enumerate(companies):
        rows.append(
            {
                "code": f"U-P-{i + 1:02d}",
                "name": f"{company}东城项目部",
                "kind": UnitKind.PROPERTY_COMPANY,
                "jurisdiction_codes": "|".join(estates[i * share : (i + 1) * share]),
            }
        )
    for i, org in enumerate(("东城区社区公益服务中心", "东城区志愿者联合会", "东城区老龄协会")):
        rows.append(
            {
                "code": f"U-O-{i + 1:02d}",
                "name": org,
                "kind": UnitKind.SOCIAL_ORGANISATION,
                "jurisdiction_codes": district.code,
            }
        )
    for i, provider in enumerate(("安居家政服务公司", "便民维修服务中心", "康乐养老服务驿站")):
        rows.append(
            {
                "code": f"U-V-{i + 1:02d}",
                "name": provider,
                "kind": UnitKind.SERVICE_PROVIDER,
                "jurisdiction_codes": district.code,
            }
        )
    columns = ["code", "name", "kind", "department_type", "parent_code", "jurisdiction_codes", "contact_phone"]
    for row in rows:
        row.setdefault("contact_phone", f"010-{rng.randint(6400_0000, 6599_9999)}")
    return import_unit_table(admin, _table(rows, columns), source="demo generator")


def _accounts(admin: User, rng: random.Random) -> list[tuple[str, str, str, str]]:
    street = Place.objects.filter(level=PlaceLevel.STREET).order_by("code").first()
    assert street is not None
    community = Place.objects.filter(level=PlaceLevel.COMMUNITY, parent=street).order_by("code").first()
    assert community is not None
    grid = Place.objects.filter(level=PlaceLevel.GRID, parent=community).order_by("code").first()
    assert grid is not None
    district = Place.objects.get(code=DISTRICT_CODE)
    department = Unit.objects.get(code=f"U-D-{DepartmentType.URBAN_MANAGEMENT}")
    provider = Unit.objects.filter(kind=UnitKind.SERVICE_PROVIDER).order_by("code").first()
    plan: list[tuple[str, str, str, list[Place], list[Unit], str]] = [
        ("district", Role.DISTRICT_COMMAND, "区指挥中心值班员", [district], [], ""),
        ("street", Role.STREET_DISPATCHER, f"{street.name}派单员", [street], [], ""),
        ("secretary", Role.COMMUNITY_SECRETARY, f"{short_name(community.name)}社区书记", [community], [], ""),
        ("community", Role.COMMUNITY_WORKER, f"{short_name(community.name)}社区工作者", [community], [], ""),
        ("grid", Role.GRID_WORKER, f"{grid.name}网格员", [grid], [], ""),
        ("department", Role.DEPARTMENT_HANDLER, f"{department.name}承办人", [], [department], ""),
        ("volunteer", Role.VOLUNTEER, "志愿者小王", [], [], "13800000002"),
        (
            "provider",
            Role.SERVICE_PROVIDER,
            f"{provider.name if provider else ''}客服",
            [],
            [provider] if provider else [],
            "",
        ),
        ("auditor", Role.AUDITOR, "审计员", [], [], ""),
        ("resident", Role.RESIDENT, "居民张女士", [], [], "13800000001"),
    ]
    accounts = [(str(Role.PLATFORM_ADMIN.label), "admin", DEMO_PASSWORD, "全部")]
    for username, role, display, places, units, phone in plan:
        create_user(
            admin,
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            display_name=display,
            phone=phone,
            places=places,
            units=units,
        )
        scope = "、".join([p.name for p in places] + [u.name for u in units]) or "本人"
        login = DEMO_PASSWORD if not phone else f"{DEMO_PASSWORD}（或手机 {phone} 验证码）"
        accounts.append((str(Role(role).label), username, login, scope))
    return accounts
