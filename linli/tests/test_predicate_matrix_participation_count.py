"""The predicate matrix for running owners' votes (issue 19): every viewer of the matrix world × every vote
predicate of linli.accounts.predicates × every estate, building and vote of the world, against a table written
from DESIGN §1 and §8 — who may do what, over which reach — never from the code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.participation.models_votes import Vote
from linli.places.models import Place

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat
from .test_predicate_matrix import World as CaseWorld

GRID, WORKER, SECRETARY = Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY
STREET, DISTRICT = Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND

# §1: the place roles follow what happens under their places (a vote's roll and turnout among it).
PLACE_ROLES = frozenset({GRID, WORKER, SECRETARY, STREET, DISTRICT})
# §8 with §1: the community runs the owners' assembly's paperwork for its estates; the district oversees and
# may run one itself. Grid workers and street dispatchers follow, never run.
RUNNERS = frozenset({WORKER, SECRETARY, DISTRICT})

# name → (reach, roles): "role" needs a grant of the roles; "place" a grant of the roles at or above the
# estate, building or vote's place. Platform admins always; inactive accounts never.
TABLE: dict[str, tuple[str, frozenset[str]]] = {
    "can_run_votes": ("role", RUNNERS),
    "can_follow_votes": ("role", PLACE_ROLES),
    "can_run_vote": ("place", RUNNERS),
}


def allowed(user: Any, hats: list[Hat], reach: str, roles: frozenset[str], path: str | None) -> bool:
    if not user.is_active:
        return False
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return True
    if reach == "role":
        return any(h.role in roles for h in hats)
    return any(h.role in roles and h.path and path and path.startswith(h.path) for h in hats)


def _objects() -> list[tuple[str, Any, str | None]]:
    places = Place.objects.filter(level__in=["estate", "building"]).order_by("path")
    out: list[tuple[str, Any, str | None]] = [(f"place {p.code}", p, p.path) for p in places]
    out += [(f"vote#{v.pk}({v.title})", v, v.place.path) for v in Vote.objects.select_related("place").order_by("pk")]
    return out


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    world = CaseWorld()
    objects = _objects()
    assert any(isinstance(o, Vote) for _, o, _ in objects), "the matrix world has no votes"
    for viewer in viewers(matrix_world):
        hats = world.snap.hats(viewer.fresh(), viewer.only)
        for name, (reach, roles) in TABLE.items():
            if names is not None and name not in names:
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj, path in objects if reach == "place" else [("-", None, None)]:
                user = viewer.fresh()
                want = allowed(user, hats, reach, roles, path)
                try:
                    got = bool(predicate(user) if reach == "role" else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_vote_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 300, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_vote_predicate() -> None:
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Owners' votes (linli.participation") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_run_vote", lambda user, target: predicates.can_follow_votes(user)),  # grid workers would run votes
        ("can_run_vote", lambda user, target: predicates.can_run_votes(user)),  # anywhere, outside their places
        ("can_run_votes", lambda user: predicates.can_follow_votes(user)),
    ],
)
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
