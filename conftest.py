"""Base fixtures: a small two-sided world for the permission matrix.

Side A and side B each have a street, a community, a grid with an estate and a building, and their own
units; every role has a user scoped to side A. A test proves what an A user can reach by checking that
nothing of B shows up, like Healthchecks' owner / same-unit / outsider fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core.tabular import Table
from linli.orgs.choices import DepartmentType, UnitKind
from linli.orgs.models import Matter, Unit
from linli.places.actions import import_place_table
from linli.places.models import Place

PASSWORD = "Test-pass-2026!"


def box(west: float, north: float, east: float, south: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[[west, north], [east, north], [east, south], [west, south], [west, north]]],
    }


TREE = [
    ("110000000000", "北京市", "province", "", None),
    ("110101000000", "东城区", "district", "110000000000", box(116.0, 40.0, 116.4, 39.8)),
    ("110101001000", "甲街道", "street", "110101000000", box(116.0, 40.0, 116.2, 39.8)),
    ("110101002000", "乙街道", "street", "110101000000", box(116.2, 40.0, 116.4, 39.8)),
    ("110101001001", "甲一社区居委会", "community", "110101001000", box(116.0, 40.0, 116.2, 39.8)),
    ("110101002001", "乙一社区居委会", "community", "110101002000", box(116.2, 40.0, 116.4, 39.8)),
    ("110101001001001", "甲一第1网格", "grid", "110101001001", box(116.0, 40.0, 116.1, 39.8)),
    ("110101001001002", "甲一第2网格", "grid", "110101001001", box(116.1, 40.0, 116.2, 39.8)),
    ("110101002001001", "乙一第1网格", "grid", "110101002001", box(116.2, 40.0, 116.4, 39.8)),
    ("110101001001001E01", "甲园小区", "estate", "110101001001001", None),
    ("110101001001001E01B01", "1号楼", "building", "110101001001001E01", None),
    ("110101002001001E01", "乙园小区", "estate", "110101002001001", None),
    ("110101002001001E01B01", "1号楼", "building", "110101002001001E01", None),
]


@dataclass
class World:
    admin: User
    places: dict[str, Place]
    units: dict[str, Unit]
    users: dict[str, User]  # role → user scoped to side A
    outsiders: dict[str, User]  # role → user scoped to side B

    def place(self, code: str) -> Place:
        return self.places[code]

    def units_by_code(self, code: str) -> Unit:
        return next(u for u in self.units.values() if u.code == code)


def make_tree(admin: User) -> dict[str, Place]:
    table = Table(
        columns=["code", "name", "level", "parent_code", "geometry"],
        rows=[
            (i, {"code": c, "name": n, "level": lv, "parent_code": p, "geometry": g or ""})
            for i, (c, n, lv, p, g) in enumerate(TREE, start=2)
        ],
    )
    import_place_table(admin, table, source="fixture")
    return {p.code: p for p in Place.objects.all()}


def make_units(places: dict[str, Place]) -> dict[str, Unit]:
    def unit(code: str, name: str, kind: str, place_codes: list[str], dtype: str = "") -> Unit:
        u = Unit.objects.create(code=code, name=name, kind=kind, department_type=dtype)
        u.jurisdiction.set([places[c] for c in place_codes])
        return u

    district = "110101000000"
    return {
        "command": unit("CMD", "指挥中心", UnitKind.COMMAND_CENTRE, [district]),
        "dept_a": unit("DA", "城管委", UnitKind.DISTRICT_DEPARTMENT, [district], DepartmentType.URBAN_MANAGEMENT),
        "dept_b": unit("DB", "人社局", UnitKind.DISTRICT_DEPARTMENT, [district], DepartmentType.HUMAN_RESOURCES),
        "street_a": unit("SA", "甲街道办事处", UnitKind.STREET_OFFICE, ["110101001000"]),
        "street_b": unit("SB", "乙街道办事处", UnitKind.STREET_OFFICE, ["110101002000"]),
        "community_a": unit("CA", "甲一社区居委会", UnitKind.COMMUNITY_COMMITTEE, ["110101001001"]),
        "community_b": unit("CB", "乙一社区居委会", UnitKind.COMMUNITY_COMMITTEE, ["110101002001"]),
        "provider_a": unit("PA", "甲家政", UnitKind.SERVICE_PROVIDER, ["110101001000"]),
        "provider_b": unit("PB", "乙家政", UnitKind.SERVICE_PROVIDER, ["110101002000"]),
    }


# role → (side-A places, side-A units, side-B places, side-B units)
ROLE_SCOPES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    Role.GRID_WORKER: (["110101001001001"], [], ["110101002001001"], []),
    Role.COMMUNITY_WORKER: (["110101001001"], [], ["110101002001"], []),
    Role.COMMUNITY_SECRETARY: (["110101001001"], [], ["110101002001"], []),
    Role.STREET_DISPATCHER: (["110101001000"], [], ["110101002000"], []),
    Role.DEPARTMENT_HANDLER: ([], ["dept_a"], [], ["dept_b"]),
    Role.SERVICE_PROVIDER: ([], ["provider_a"], [], ["provider_b"]),
    Role.RESIDENT: ([], [], [], []),
    Role.VOLUNTEER: ([], [], [], []),
    Role.AUDITOR: ([], [], [], []),
}


@pytest.fixture
def world(db: Any) -> World:
    admin = create_user(None, username="root", role=Role.PLATFORM_ADMIN, password=PASSWORD, superuser=True)
    places = make_tree(admin)
    units = make_units(places)
    users: dict[str, User] = {}
    outsiders: dict[str, User] = {}
    for n, (role, (a_places, a_units, b_places, b_units)) in enumerate(ROLE_SCOPES.items()):
        users[role] = create_user(
            admin,
            username=f"a_{role}",
            role=role,
            password=PASSWORD,
            phone=f"1380000{n:04d}" if role == Role.RESIDENT else "",
            places=[places[c] for c in a_places],
            units=[units[u] for u in a_units],
        )
        outsiders[role] = create_user(
            admin,
            username=f"b_{role}",
            role=role,
            password=PASSWORD,
            places=[places[c] for c in b_places],
            units=[units[u] for u in b_units],
        )
    # District command sees the whole district: both sides are "inside" for it.
    users[Role.DISTRICT_COMMAND] = create_user(
        admin, username="district", role=Role.DISTRICT_COMMAND, password=PASSWORD, places=[places["110101000000"]]
    )
    return World(admin=admin, places=places, units=units, users=users, outsiders=outsiders)


@pytest.fixture
def matter(db: Any) -> Matter:
    return Matter.objects.create(
        code="M01001",
        name="道路不洁",
        category="城乡建设",
        owner_level="district",
        department_type=DepartmentType.URBAN_MANAGEMENT,
        keywords=["路面脏"],
    )


class SecondFactorClient(Client):
    """`force_login` skips the login form; for a role that must use two-factor it also skips the code step,
    leaving what a full login leaves: a real confirmed TOTP device, recorded in the session as verified.
    Tests of the two-factor doors themselves use a plain `django.test.Client`."""

    def force_login(self, user: Any, backend: str | None = None) -> None:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from linli.accounts.two_factor import requires_two_factor

        super().force_login(user, backend)
        if requires_two_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> Client:
    return SecondFactorClient()


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Hashing is the point in production and pure waste in tests that create dozens of accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
