"""The generated predicate matrix for the closed loop (issue 16): every viewer of the matrix world (each role's
side-A user and side-B outsider, the superuser, the two-hat, expired and inactive users, and token-narrowed
viewers) × every case predicate of linli.accounts.predicates × every case or whistle call of the world,
against a small table written from DESIGN §1 and §4 — who may take each step, over which reach — and never
from the predicate code. Whether the case's state allows the step is the workflow's table, not asked here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.cases.models import Case, WhistleCall
from linli.orgs.models import Unit

from .matrix_checks import Result
from .matrix_spec_reverse import acting_units
from .test_matrix_probes import Viewer, viewers
from .test_matrix_spec import Hat, Snapshot

GRID, WORKER, SECRETARY = Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY
STREET, DISTRICT = Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND
HANDLER, PROVIDER = Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER


@dataclass(frozen=True)
class Need:
    """Who may take a step.

    reach: "account" any active account; "role" a grant of `roles`, no object; "place" a grant of `roles` at or
    above the case's place; "lead" working for the case's lead unit; "summoned" working for the whistled unit;
    "reporter" the person who asked. Platform admins may, unless `admin` is False. `not_lead`: never a member
    of the case's own lead unit (platform admins aside)."""

    reach: str
    roles: frozenset[str] = frozenset()
    admin: bool = True
    not_lead: bool = False


DISPATCHING = frozenset({SECRETARY, STREET, DISTRICT})
ON_SITE = frozenset({GRID, WORKER, SECRETARY})
CALL_TAKERS = frozenset({STREET, DISTRICT})

TABLE: dict[str, Need] = {
    # §4 channels: anyone may ask in their own name.
    "can_submit_request": Need("account"),
    # §4 hotline operator entry: the dispatching desks of the street and the district (12345 is a district's).
    "can_take_hotline_calls": Need("role", CALL_TAKERS),
    # §1 grid worker "reports problems found (主动发现)"; community staff patrol their community too.
    "can_report_found": Need("role", ON_SITE),
    # §4 bulk import of a backlog: the desks that take requests in.
    "can_import_cases": Need("role", CALL_TAKERS),
    # §1 the secretary assigns, the street dispatcher dispatches, district command dispatches: in their places.
    "can_dispatch_case": Need("place", DISPATCHING),
    # §1 a department handles what is assigned to it, a provider what it was matched to, community staff
    # community-level requests, the street street-level ones: the people of the lead unit (not a co-unit).
    "can_handle_case": Need("lead"),
    # §1 the secretary approves returns, the street dispatcher and the district arbitrate them.
    "can_review_return": Need("place", DISPATCHING),
    # §4 争议派单: the district arbitrates.
    "can_arbitrate": Need("place", frozenset({DISTRICT})),
    # §4 extension and suspension "only with approval": the level above the unit, never the unit itself.
    "can_decide_approval": Need("place", CALL_TAKERS, not_lead=True),
    # §4 "a community or street summons departments"; §1 the secretary blows the whistle; the district too.
    "can_blow_whistle": Need("place", DISPATCHING),
    # §1 the department "answers whistles (报到)": a member of the summoned unit.
    "can_report_whistle": Need("summoned"),
    # §4 核查 on site: the grid and community staff of the place (DESIGN names nobody else).
    "can_verify_case": Need("place", ON_SITE),
    # §4 "rated by the resident": only the person who asked, not even a platform admin; a caller without an
    # account is called back (回访) by the hotline desk of the place, which records the rating.
    "can_rate_case": Need("reporter", CALL_TAKERS, admin=False),
    # §7 unmasked only for roles that need it (the place desks), §4 the lead unit that must call back, and the
    # reporter (their own data).
    "can_reveal_reporter": Need("reveal", frozenset({GRID, WORKER, SECRETARY, STREET})),
    # §4 Excel export of any list: government staff (§1), each within their scope.
    "can_export_cases": Need("role", frozenset({GRID, WORKER, SECRETARY, STREET, HANDLER, DISTRICT})),
}


class World:
    """The facts the table needs, read once."""

    def __init__(self) -> None:
        self.snap = Snapshot()
        self.kinds = dict(Unit.objects.values_list("pk", "kind"))
        self.cases = list(Case.objects.select_related("place", "lead_unit"))
        self.calls = list(WhistleCall.objects.select_related("unit", "case"))

    def works_for(self, hats: list[Hat], unit_id: int | None) -> bool:
        """The spec of working for a unit (a grant naming it or a unit above it, or the place role that makes
        its holder the unit of that kind at exactly that place): matrix_spec_reverse.acting_units."""
        return unit_id is not None and unit_id in acting_units(self.snap, self.kinds, hats)


def allowed(world: World, user: Any, hats: list[Hat], need: Need, obj: Any) -> bool:
    if not user.is_active:
        return False
    if need.reach == "account":
        return True
    if need.reach == "reporter":
        if obj.reporter_id is not None:
            return obj.reporter_id == user.pk
        return any(h.role in need.roles and h.path and obj.place.path.startswith(h.path) for h in hats)
    admin = need.admin and any(h.role == Role.PLATFORM_ADMIN for h in hats)
    if need.reach == "role":
        return admin or any(h.role in need.roles for h in hats)
    if need.reach == "lead":
        return obj.lead_unit_id is not None and (admin or world.works_for(hats, obj.lead_unit_id))
    if need.reach == "summoned":
        return admin or world.works_for(hats, obj.unit_id)
    if need.reach == "reveal" and (
        obj.reporter_id == user.pk or (obj.lead_unit_id is not None and world.works_for(hats, obj.lead_unit_id))
    ):
        return True
    if admin:
        return True
    if need.not_lead and world.works_for(hats, obj.lead_unit_id):
        return False
    path = obj.place.path
    return any(h.role in need.roles and h.path and path.startswith(h.path) for h in hats)


def _objects(world: World, need: Need) -> list[tuple[str, Any]]:
    if need.reach in ("account", "role"):
        return [("-", None)]
    if need.reach == "summoned":
        return [(f"whistle#{c.pk}({c.case.title}→{c.unit.code})", c) for c in world.calls]
    return [(f"case#{c.pk}({c.title})", c) for c in world.cases]


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    world = World()
    missing = [n for n in TABLE if not callable(getattr(predicates, n, None))]
    for name in missing:
        result.check(False, f"predicate {name} is in the table but not in linli.accounts.predicates")
    viewer: Viewer
    for viewer in viewers(matrix_world):
        hats = world.snap.hats(viewer.fresh(), viewer.only)
        for name, need in TABLE.items():
            if name in missing or (names is not None and name not in names):
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj in _objects(world, need):
                user = viewer.fresh()
                want = allowed(world, user, hats, need, obj)
                try:
                    got = bool(predicate(user) if obj is None else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_case_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 1500, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_case_predicate() -> None:
    """A new predicate in the closed loop's section of predicates.py must get a row in the table."""
    import inspect

    source = inspect.getsource(predicates)
    # From the closed loop's heading to the next section's (the registry's: test_predicate_matrix_people.py).
    section = source[source.index("# The closed loop") : source.index("# The registry of people")]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


def _approval_by_own_unit(user: Any, case: Any) -> bool:
    """The bug the not_lead clause guards against: the unit approves its own extension."""
    from linli.accounts.scopes import can, scope_of

    return scope_of(user).has(CALL_TAKERS) and can(user, "change", case)


def _co_units_handle(user: Any, case: Any) -> bool:
    """A co-handling unit acts as the lead."""
    from linli.accounts.membership import works_for
    from linli.accounts.scopes import can

    units = [a.unit for a in case.assignments.filter(ended_at__isnull=True).select_related("unit")]
    return any(works_for(user, u) for u in units) and can(user, "view", case)


def _anyone_rates(user: Any, case: Any) -> bool:
    from linli.accounts.scopes import can

    return can(user, "view", case)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_decide_approval", _approval_by_own_unit),
        ("can_handle_case", _co_units_handle),
        ("can_rate_case", _anyone_rates),
        ("can_verify_case", lambda user, case: predicates.can_dispatch_case(user, case)),
        ("can_take_hotline_calls", lambda user: predicates.is_government_staff(user)),
    ],
)
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
