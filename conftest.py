"""Base fixtures: a small two-sided world for the permission matrix.

Side A and side B each have a street, a community, a grid with an estate and a building, and their own
units; every role has a user scoped to side A and, where the role is scoped by a place or unit, an outsider
scoped to side B. District command's outsider sits in a second district (西城区), which has a small tree
and units of its own. A few users exist to test the edges of DESIGN §1: one holding two grants (a community
worker who is also a volunteer), one whose only grant has expired, one deactivated. `matrix_world` adds
dispatch decisions, a matter, an admission record, training examples and cases on each side (made through the
case actions: linli/tests/matrix_cases.py) and the registry's people, households and houses on each side
(linli/tests/matrix_people.py), and the reverse assessment's ratings, surveys and answers
(linli/tests/matrix_reverse.py), and project packages in every state with claims, a photo and a rating
(linli/tests/matrix_projects.py) so that the "context of work" and "own requests" rules have objects to probe
(linli/tests/test_scope_matrix.py).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
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
    # A second district, so that district command has an outsider; far west of the first.
    ("110102000000", "西城区", "district", "110000000000", box(115.0, 40.0, 115.4, 39.8)),
    ("110102001000", "丙街道", "street", "110102000000", box(115.0, 40.0, 115.4, 39.8)),
    ("110102001001", "丙一社区居委会", "community", "110102001000", box(115.0, 40.0, 115.4, 39.8)),
    ("110102001001001", "丙一第1网格", "grid", "110102001001", box(115.0, 40.0, 115.4, 39.8)),
    ("110102001001001E01", "丙园小区", "estate", "110102001001001", None),
    ("110102001001001E01B01", "丙园3号楼", "building", "110102001001001E01", None),
]
DISTRICT_A = "110101000000"
DISTRICT_X = "110102000000"


@dataclass
class World:
    admin: User
    places: dict[str, Place]
    units: dict[str, Unit]
    users: dict[str, User]  # role → user scoped to side A (platform admin: a non-superuser holding the grant)
    outsiders: dict[str, User]  # role → user scoped to side B (西城区 for district command)
    extras: dict[str, User] = field(default_factory=dict)  # "multi", "expired", "inactive"
    decisions: dict[str, Any] = field(default_factory=dict)  # dispatch decisions, filled by `matrix_world`
    examples: dict[str, Any] = field(default_factory=dict)  # training examples, filled by `matrix_world`
    matters: dict[str, Matter] = field(default_factory=dict)
    cases: dict[str, Any] = field(default_factory=dict)  # cases on each side, filled by `matrix_world`
    people: Any = None  # the registry's persons, households and houses (matrix_people.People), by `matrix_world`
    reverse: Any = None  # the reverse assessment's ratings, surveys and answers (matrix_reverse.Reverse)
    timebank: Any = None  # the time bank's accounts, rewards and exchanges (matrix_timebank.Timebank)
    resources: Any = None  # the resource library's entries and bookings (matrix_resources.make_resources)
    volunteers: Any = None  # volunteers, activities and sign-ups (matrix_volunteers.Volunteers)
    services: Any = None  # the service catalogue's kinds and offers (matrix_services), by `matrix_world`
    projects: Any = None  # project packages in every state, claims, a photo, a rating (matrix_projects)
    cast: Any = None  # owners' votes with rolls and paper entries to probe casting (matrix_cast.Cast)
    topics: Any = None  # deliberation topics and their parts (matrix_topics.make_topics), by `matrix_world`

    def place(self, code: str) -> Place:
        return self.places[code]

    def units_by_code(self, code: str) -> Unit:
        return next(u for u in self.units.values() if u.code == code)

    def all_users(self) -> list[User]:
        """Every account of the world, the superuser first; each is a viewer in the matrix."""
        return [self.admin, *self.users.values(), *self.outsiders.values(), *self.extras.values()]


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
    def unit(
        code: str, name: str, kind: str, place_codes: list[str], dtype: str = "", parent: Unit | None = None
    ) -> Unit:
        u = Unit.objects.create(code=code, name=name, kind=kind, department_type=dtype, parent=parent)
        u.jurisdiction.set([places[c] for c in place_codes])
        return u

    dept_a = unit("DA", "城管委", UnitKind.DISTRICT_DEPARTMENT, [DISTRICT_A], DepartmentType.URBAN_MANAGEMENT)
    return {
        "command": unit("CMD", "指挥中心", UnitKind.COMMAND_CENTRE, [DISTRICT_A]),
        "dept_a": dept_a,
        # A team under the department: visible to the department's handlers as one of its child units;
        # no department type, so the responsibility list never routes to it instead of its parent.
        "dept_a_team": unit("DAT", "执法甲队", UnitKind.DISTRICT_DEPARTMENT, ["110101001000"], parent=dept_a),
        "dept_b": unit("DB", "人社局", UnitKind.DISTRICT_DEPARTMENT, [DISTRICT_A], DepartmentType.HUMAN_RESOURCES),
        "street_a": unit("SA", "甲街道办事处", UnitKind.STREET_OFFICE, ["110101001000"]),
        "street_b": unit("SB", "乙街道办事处", UnitKind.STREET_OFFICE, ["110101002000"]),
        "community_a": unit("CA", "甲一社区居委会", UnitKind.COMMUNITY_COMMITTEE, ["110101001001"]),
        "community_b": unit("CB", "乙一社区居委会", UnitKind.COMMUNITY_COMMITTEE, ["110101002001"]),
        "provider_a": unit("PA", "甲家政", UnitKind.SERVICE_PROVIDER, ["110101001000"]),
        "provider_b": unit("PB", "乙家政", UnitKind.SERVICE_PROVIDER, ["110101002000"]),
        "command_x": unit("XCMD", "西区中心", UnitKind.COMMAND_CENTRE, [DISTRICT_X]),
        "dept_x": unit("XD", "西区水务局", UnitKind.DISTRICT_DEPARTMENT, [DISTRICT_X], DepartmentType.WATER),
        "street_x": unit("XS", "丙街道办事处", UnitKind.STREET_OFFICE, ["110102001000"]),
    }


# role → (side-A places, side-A units, side-B places, side-B units); no outsider where both lists are empty
ROLE_SCOPES: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    Role.GRID_WORKER: (["110101001001001"], [], ["110101002001001"], []),
    Role.COMMUNITY_WORKER: (["110101001001"], [], ["110101002001"], []),
    Role.COMMUNITY_SECRETARY: (["110101001001"], [], ["110101002001"], []),
    Role.STREET_DISPATCHER: (["110101001000"], [], ["110101002000"], []),
    Role.DEPARTMENT_HANDLER: ([], ["dept_a"], [], ["dept_b"]),
    Role.SERVICE_PROVIDER: ([], ["provider_a"], [], ["provider_b"]),
    Role.DISTRICT_COMMAND: ([DISTRICT_A], [], [DISTRICT_X], []),
    Role.RESIDENT: ([], [], [], []),
    Role.VOLUNTEER: ([], [], [], []),
    Role.AUDITOR: ([], [], [], []),
    Role.PLATFORM_ADMIN: ([], [], [], []),
}
# Roles whose B user is a second person with nothing granted (residents, volunteers, auditors): "own" only.
UNSCOPED_OUTSIDERS = frozenset({Role.RESIDENT, Role.VOLUNTEER, Role.AUDITOR})


def _make(admin: User, username: str, role: str, places: list[Place], units: list[Unit], phone: str = "") -> User:
    return create_user(admin, username=username, role=role, password=PASSWORD, phone=phone, places=places, units=units)


def restore_calendar_seed() -> None:
    """The holiday calendar (and the registry's visit and retention rules) are seeded by data migrations; a transactional test earlier in the same worker
    (the browser tests' live server) flushes every table, so put the seed back, as a fresh database has it."""
    from linli.worktime.models import CalendarDay, CalendarYear
    from linli.worktime.seed import seed

    if not CalendarYear.objects.exists():
        seed(CalendarDay, CalendarYear)
    from linli.people.choices import DEFAULT_RETENTION_YEARS, DEFAULT_VISIT_DAYS
    from linli.people.models import CareRule, RetentionRule

    for tag, days in DEFAULT_VISIT_DAYS.items():  # the registry's rules are seeded by a migration too
        CareRule.objects.get_or_create(tag=tag, defaults={"visit_every_days": days})
    for residency, years in DEFAULT_RETENTION_YEARS.items():
        RetentionRule.objects.get_or_create(residency=residency, defaults={"keep_years": years})
    from linli.volunteers.models import Skill

    if not Skill.objects.exists():  # the volunteers' starting skills, seeded by a migration
        for name in importlib.import_module("linli.volunteers.migrations.0002_seed_skills").SKILLS:
            Skill.objects.get_or_create(name=name)


@pytest.fixture
def world(db: Any) -> World:
    restore_calendar_seed()
    admin = create_user(None, username="root", role=Role.PLATFORM_ADMIN, password=PASSWORD, superuser=True)
    places = make_tree(admin)
    units = make_units(places)
    users: dict[str, User] = {}
    outsiders: dict[str, User] = {}
    for n, (role, (a_places, a_units, b_places, b_units)) in enumerate(ROLE_SCOPES.items()):
        users[role] = _make(
            admin,
            f"a_{role}",
            role,
            [places[c] for c in a_places],
            [units[u] for u in a_units],
            phone=f"1380000{n:04d}" if role == Role.RESIDENT else "",
        )
        if b_places or b_units or role in UNSCOPED_OUTSIDERS:
            outsiders[role] = _make(
                admin, f"b_{role}", role, [places[c] for c in b_places], [units[u] for u in b_units]
            )
    community_a = places["110101001001"]
    multi = _make(admin, "multi_worker", Role.COMMUNITY_WORKER, [community_a], [])
    Grant.objects.create(user=multi, role=Role.VOLUNTEER, granted_by=admin)  # the second hat: union of both
    expired = _make(admin, "expired_dispatcher", Role.STREET_DISPATCHER, [places["110101001000"]], [])
    long_ago = timezone.now() - timedelta(days=30)
    Grant.objects.filter(user=expired).update(valid_from=long_ago, valid_to=long_ago + timedelta(days=10))
    inactive = _make(admin, "inactive_secretary", Role.COMMUNITY_SECRETARY, [community_a], [])
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    return World(
        admin=admin,
        places=places,
        units=units,
        users=users,
        outsiders=outsiders,
        extras={"multi": multi, "expired": expired, "inactive": inactive},
    )


@pytest.fixture
def matrix_world(world: World, settings: Any, tmp_path: Any) -> World:
    """The world plus work to probe: decisions on each side, routed to each side's units, requested by
    residents (and the two-hat user) of each side; a matter with an admission record; training examples;
    cases on each side with their parts (a photo lands under a temporary MEDIA_ROOT)."""
    from linli.dispatch.models import DispatchDecision, TrainingExample
    from linli.orgs.models import MatterAdmission

    p, u = world.places, world.units
    matter = Matter.objects.create(
        code="MZ9001", name="矩阵事项", category="城乡建设", owner_level="district", department_type="urban_management"
    )
    MatterAdmission.objects.create(
        matter=matter,
        approved_by="矩阵批准人",
        approved_on=timezone.localdate(),
        people="p",
        powers="w",
        funds="f",
        recorded_by=world.admin,
    )
    resident_a, resident_b = world.users[Role.RESIDENT], world.outsiders[Role.RESIDENT]
    rows = {
        # key: (title marker, requested_by, place, unit, final_unit)
        "a_building": ("矩阵甲楼事", resident_a, p["110101001001001E01B01"], u["dept_a"], None),
        "b_building": ("矩阵乙楼事", resident_b, p["110101002001001E01B01"], u["dept_b"], None),
        # Sent to B's department, then corrected to A's provider: both units are given the work.
        "a_grid2": ("矩阵甲二格事", world.users[Role.VOLUNTEER], p["110101001001002"], u["dept_b"], u["provider_a"]),
        "x_estate": ("矩阵丙园事", None, p["110102001001001E01"], u["dept_x"], None),
        # The two-hat user's own request, far outside its community: visible through "own requests".
        "multi_b": ("矩阵多帽事", world.extras["multi"], p["110101002001"], u["community_b"], None),
    }
    for key, (title, by, place, unit, final_unit) in rows.items():
        world.decisions[key] = DispatchDecision.objects.create(
            title=title,
            body=title,
            requested_by=by,
            place=place,
            unit=unit,
            final_unit=final_unit,
            mode="manual",
            category="城乡建设",
        )
    world.examples["free"] = TrainingExample.objects.create(title="矩阵样本", label="城乡建设", source="base")
    for key in ("a_building", "x_estate"):
        world.examples[key] = TrainingExample.objects.create(
            title=f"矩阵样本{key}", label="城乡建设", source="correction", decision=world.decisions[key]
        )
    world.matters["matrix"] = matter
    # API tokens of users on each side, one acting within the two-hat user's volunteer grant only.
    from linli.accounts.models import Grant
    from linli.api.actions import issue_token

    holders = {
        "tok-a-street-5e1": world.users[Role.STREET_DISPATCHER],
        "tok-b-street-9c4": world.outsiders[Role.STREET_DISPATCHER],
        "tok-a-dept-2b7": world.users[Role.DEPARTMENT_HANDLER],
        "tok-multi-vol-8d3": world.extras["multi"],
    }
    for name, holder in holders.items():
        grants = Grant.objects.active().filter(user=holder).order_by("-role")
        issue_token(None, grants.first(), name=name, days=30)  # type: ignore[arg-type]
    # Notices in the inboxes of people on each side, and of one whose only grant has expired.
    from linli.notices.actions import notify

    for title, recipient in {
        "矩阵通知甲民": resident_a,
        "矩阵通知乙民": resident_b,
        "矩阵通知多帽": world.extras["multi"],
        "矩阵通知甲部门": world.users[Role.DEPARTMENT_HANDLER],
        "矩阵通知过期": world.extras["expired"],
    }.items():
        notify(recipient, kind="case_update", title=title, body=title)
    from linli.tests.matrix_cases import make_cases

    settings.MEDIA_ROOT = str(tmp_path / "media")
    world.cases = make_cases(world)
    from linli.tests.matrix_people import make_people

    world.people = make_people(world)
    from linli.tests.matrix_reverse import make_reverse

    world.reverse = make_reverse(world)
    from linli.tests.matrix_timebank import make_timebank

    world.timebank = make_timebank(world)
    from linli.tests.matrix_resources import make_resources

    world.resources = make_resources(world)
    from linli.tests.matrix_volunteers import make_volunteers

    world.volunteers = make_volunteers(world)
    from linli.tests.matrix_services import make_services

    world.services = make_services(world)
    from linli.tests.matrix_projects import make_projects

    world.projects = make_projects(world)
    from linli.tests.matrix_votes import make_votes

    make_votes(world)  # owners' votes on the registry's houses: drafts, open and closed, with ballots
    from linli.tests.matrix_cast import make_cast

    world.cast = make_cast(world)
    from linli.tests.matrix_topics import make_topics

    world.topics = make_topics(world)
    return world


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

        from linli.accounts.predicates import requires_two_factor

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


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Say how many scope probes ran (tests record them with `record_property("scope_probes", n)`; the
    properties travel back from xdist workers, so the sum is right with -n too)."""
    total = 0
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if getattr(report, "when", "call") == "call":
            total += sum(int(v) for k, v in getattr(report, "user_properties", []) if k == "scope_probes")
    if total:
        terminalreporter.write_line(f"scope matrix: {total} probes")


@pytest.fixture(autouse=True)
def _forget_the_loaded_dispatch_model() -> Any:
    """The engine keeps the model it loaded for the life of the process; after a test its row is gone, so a
    later test in the same worker must not link new decisions to it."""
    yield
    from linli.dispatch import learned, registry

    registry._state.update(checked=0.0, row=None, classifier=None)
    learned.forget()  # its index of corrected texts belongs to the test that made them
