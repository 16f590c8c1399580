"""The generated predicate matrix for the registry (issue 17): every viewer of the matrix world (each role's
side-A user and side-B outsider, the superuser, the two-hat, expired and inactive users, and token-narrowed
viewers) × every registry predicate of linli.accounts.predicates × every person, house or case of the world,
against a table written from DESIGN §1 and §7 — who may do what, over which reach — never from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.cases.models import Case
from linli.people.models import Person
from linli.places.models import Place

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat
from .test_predicate_matrix import World as CaseWorld

GRID, WORKER, SECRETARY = Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY
STREET, DISTRICT = Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND

# §1: scopes are places; these roles hold places and read what lies under them.
PLACE_ROLES = frozenset({GRID, WORKER, SECRETARY, STREET, DISTRICT})
# §1 "registry upkeep" is the community worker's; the secretary runs the community and district command keeps
# the place tree of its district: the same hands keep the registry under their places.
KEEPERS = frozenset({WORKER, SECRETARY, DISTRICT})
# §7 unmasked "only if the role needs it": the desks that reach residents (grid and community staff, the street
# dispatcher), as for a reporter's contact; district command works on aggregates and cases, masked.
UNMASKERS = frozenset({GRID, WORKER, SECRETARY, STREET})
# §1 the grid worker "visits vulnerable people"; community staff visit with them.
VISITORS = frozenset({GRID, WORKER, SECRETARY})
# §1 the secretary "sees community dashboards"; the street and district assess; a grid worker's view is a list.
STATISTICIANS = frozenset({WORKER, SECRETARY, STREET, DISTRICT})


@dataclass(frozen=True)
class Need:
    """Who may: "role" a grant of `roles`, no object; "person" a grant of `roles` at or above where the person
    lives; "house" a grant of `roles` at or above the house (no house: platform admins only, the tree's root);
    "case" the case's lead unit, or a grant of `roles` at or above the case's place. Platform admins always."""

    reach: str
    roles: frozenset[str]


TABLE: dict[str, Need] = {
    "can_read_registry": Need("role", PLACE_ROLES),
    "can_edit_person": Need("person", KEEPERS),
    "can_import_registry": Need("role", KEEPERS),
    # §7 export is Excel of what the reader may read; §12 every list exports alike.
    "can_export_registry": Need("role", PLACE_ROLES),
    "can_export_unmasked": Need("role", UNMASKERS),
    "can_reveal_person": Need("person", UNMASKERS),
    "can_log_visit": Need("person", VISITORS),
    # 个人信息保护法 art. 45: the person's copy is given by whoever keeps their record.
    "can_give_subject_copy": Need("person", KEEPERS),
    "can_read_registry_statistics": Need("role", STATISTICIANS),
    "can_edit_care_rules": Need("role", frozenset({DISTRICT})),
    # §7 retention is the district's rule, like the visit rules.
    "can_edit_retention_rules": Need("role", frozenset({DISTRICT})),
    # §1 grid workers visit vulnerable people; community staff visit too.
    "can_visit_people": Need("role", VISITORS),
    # §1 community workers keep the registry ("registry upkeep"); the district as the places' editor.
    "can_register_people": Need("role", KEEPERS),
    # §4 the lead unit must reach the person; §1 grid and community staff visit them.
    "can_see_reporter_care_tags": Need("case", VISITORS),
    # Registering people, households and owners at a house is keeping the registry there.
    "can_edit_registry": Need("house", KEEPERS),
}


def _at(hats: list[Hat], roles: frozenset[str], path: str) -> bool:
    return any(h.role in roles and h.path and path.startswith(h.path) for h in hats)


def allowed(world: CaseWorld, user: Any, hats: list[Hat], need: Need, obj: Any) -> bool:
    if not user.is_active:
        return False
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return True
    if need.reach == "role":
        return any(h.role in need.roles for h in hats)
    if need.reach == "person":
        return _at(hats, need.roles, obj.place.path)
    if need.reach == "house":
        return obj is not None and _at(hats, need.roles, obj.path)
    return world.works_for(hats, obj.lead_unit_id) or _at(hats, need.roles, obj.place.path)


def _objects(need: Need) -> list[tuple[str, Any]]:
    if need.reach == "role":
        return [("-", None)]
    if need.reach == "person":
        return [(f"person#{p.pk}({p.name})", p) for p in Person.objects.select_related("place").order_by("pk")]
    if need.reach == "house":
        houses = Place.objects.filter(level="house").order_by("path")
        return [("no place", None), *((f"house {h.code}", h) for h in houses)]
    return [(f"case#{c.pk}({c.title})", c) for c in Case.objects.select_related("place", "lead_unit").order_by("pk")]


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    world = CaseWorld()
    missing = [n for n in TABLE if not callable(getattr(predicates, n, None))]
    for name in missing:
        result.check(False, f"predicate {name} is in the table but not in linli.accounts.predicates")
    objects = {need.reach: _objects(need) for need in TABLE.values()}
    for viewer in viewers(matrix_world):
        hats = world.snap.hats(viewer.fresh(), viewer.only)
        for name, need in TABLE.items():
            if name in missing or (names is not None and name not in names):
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj in objects[need.reach]:
                user = viewer.fresh()
                want = allowed(world, user, hats, need, obj)
                try:
                    got = bool(predicate(user) if need.reach == "role" else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_registry_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 1000, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_registry_predicate() -> None:
    """A new predicate in the registry's section of predicates.py must get a row in the table."""
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# The registry of people") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE) - {"can_edit_registry"}, defined ^ (set(TABLE) - {"can_edit_registry"})


def _readers_may(user: Any, obj: Any) -> bool:
    from linli.accounts.scopes import can

    return predicates.can_read_registry(user) and can(user, "view", obj)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_reveal_person", _readers_may),  # district command would see numbers in the clear
        ("can_edit_person", _readers_may),  # grid workers and dispatchers would keep the registry
        ("can_log_visit", _readers_may),
        ("can_see_reporter_care_tags", lambda user, case: predicates.can_reveal_reporter(user, case)),
        ("can_export_unmasked", lambda user: predicates.can_export_registry(user)),
        ("can_edit_registry", lambda user, place: place is not None and predicates.can_read_registry(user)),
    ],
)
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
