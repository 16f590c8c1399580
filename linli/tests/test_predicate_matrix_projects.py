"""The generated predicate matrix for project packages and open calls (issue 20 §6): every viewer of the matrix
world (each role's side-A user and side-B outsider, the superuser, the two-hat, expired and inactive users, and
token-narrowed viewers) × every projects predicate of linli.accounts.predicates × every place or project of the
world, against a table written from DESIGN §1 and §9 — who may do what, over which reach — never from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.people.models import Person
from linli.places.models import Place
from linli.projects.models import Project

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat, Snapshot

# §9: the community (its workers and secretary) makes, publishes, assigns and closes projects; district
# command over its district.
MANAGERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
# §9 揭榜: organisations (service providers) and volunteer teams claim open calls.
CLAIMANTS = frozenset({Role.SERVICE_PROVIDER, Role.VOLUNTEER})
# §1: the place roles read what lies under their places, drafts included.
PLACE_ROLES = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)


@dataclass(frozen=True)
class Need:
    """Who may: "place" a manager's grant at or above the place (none: any manager's grant); "claim" a
    claimant's grant, on a project the viewer reads (none: the grant alone); "claimant" the project's chosen or
    assigned claimant, holding a grant in force; "resident" a grant in force and a current registry record,
    with the viewer's verified phone, under the project's place. Platform admins where `admin`."""

    reach: str
    admin: bool


TABLE: dict[str, Need] = {
    "can_manage_projects": Need("place", admin=True),
    "can_claim_project": Need("claim", admin=True),
    # Reporting is the carrier's word about its own work: nobody reports for it, platform admins included.
    "can_report_on_project": Need("claimant", admin=False),
    # The rating is the residents' voice: nobody rates a place they do not live in, platform admins included.
    "can_rate_project": Need("resident", admin=False),
}


class Facts:
    def __init__(self) -> None:
        self.snap = Snapshot()
        self.homes: dict[str, list[str]] = {}
        for digest, path in Person.objects.filter(left_on__isnull=True, phone_digest__isnull=False).values_list(
            "phone_digest", "place__path"
        ):
            self.homes.setdefault(digest or "", []).append(path)


def _at(hats: list[Hat], roles: frozenset[str], path: str) -> bool:
    return any(h.role in roles and h.path and path.startswith(h.path) for h in hats)


def _reads(hats: list[Hat], project: Project) -> bool:
    """matrix_spec_projects: a project published or assigned is read by every grant holder; a draft by the place
    roles over it."""
    public = project.published_at is not None or project.claimant_id is not None
    return bool(hats) and (public or _at(hats, PLACE_ROLES, project.place.path))


def allowed(facts: Facts, user: Any, hats: list[Hat], need: Need, obj: Any) -> bool:
    if not user.is_active or not hats:
        return False
    if need.admin and any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return True
    if need.reach == "place":
        return _at(hats, MANAGERS, obj.path) if obj is not None else any(h.role in MANAGERS for h in hats)
    if need.reach == "claim":
        return any(h.role in CLAIMANTS for h in hats) and (obj is None or _reads(hats, obj))
    if need.reach == "claimant":
        return obj.claimant_id == user.pk
    homes = facts.homes.get(user.phone_digest or "", []) if user.phone_digest else []
    return any(home.startswith(obj.place.path) for home in homes)


def _objects(need: Need) -> list[tuple[str, Any]]:
    if need.reach == "place":
        return [("no place", None), *((f"place {p.code}", p) for p in Place.objects.order_by("path"))]
    projects = [(f"project#{p.pk}({p.title})", p) for p in Project.objects.select_related("place").order_by("pk")]
    return [("no project", None), *projects] if need.reach == "claim" else projects


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    facts = Facts()
    missing = [n for n in TABLE if not callable(getattr(predicates, n, None))]
    for name in missing:
        result.check(False, f"predicate {name} is in the table but not in linli.accounts.predicates")
    objects = {need.reach: _objects(need) for need in TABLE.values()}
    for viewer in viewers(matrix_world):
        hats = facts.snap.hats(viewer.fresh(), viewer.only)
        for name, need in TABLE.items():
            if name in missing or (names is not None and name not in names):
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj in objects[need.reach]:
                user = viewer.fresh()
                want = allowed(facts, user, hats, need, obj)
                try:
                    got = bool(predicate(user) if obj is None else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_projects_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 1000, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_projects_predicate() -> None:
    """A new predicate in the projects' section of predicates.py must get a row in the table."""
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Project packages and open calls") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


ORIGINAL = {name: getattr(predicates, name) for name in TABLE}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        # The place ignored: community worker A would manage side B's projects.
        ("can_manage_projects", lambda user, place=None: ORIGINAL["can_manage_projects"](user)),
        # Reading ignored: a provider would claim a draft of another community it cannot see.
        ("can_claim_project", lambda user, project=None: ORIGINAL["can_claim_project"](user)),
        # Any claimant who can see the project would report on it, not only the chosen one.
        ("can_report_on_project", lambda user, project: ORIGINAL["can_claim_project"](user, project)),
        # Any resident would rate, wherever they live (resident B has no registry record on side A).
        ("can_rate_project", lambda user, project: Role.RESIDENT in predicates.roles_of(user)),
    ],
)
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
