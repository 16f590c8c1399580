"""The generated predicate matrix for the service catalogue (issue 20): every viewer of the matrix world ×
every service predicate of linli.accounts.predicates × every offer or case of the world, against a table
written from DESIGN §1 and §9, never from the code. Role and case rows reuse the closed loop's table
semantics (linli/tests/test_predicate_matrix.py); "offer" is this area's own reach.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.services.models import ServiceOffer

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat
from .test_predicate_matrix import DISPATCHING, Need, World, _objects, allowed

WORKER, SECRETARY, DISTRICT = Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND
EVERY_ROLE = frozenset(Role.values)

TABLE: dict[str, Need] = {
    # §9 the catalogue is public to the district's logged-in users: every grant in force reads it.
    "can_read_service_catalogue": Need("role", EVERY_ROLE),
    # The list of service kinds is the district's, like the responsibility list (§3).
    "can_edit_service_kinds": Need("role", frozenset({DISTRICT})),
    # Community staff keep what is offered in their community; the district over all of it.
    "can_keep_service_offers": Need("role", frozenset({WORKER, SECRETARY, DISTRICT})),
    # An offer: district command, or community staff when every place it serves lies in their community.
    "can_edit_service_offer": Need("offer", frozenset({WORKER, SECRETARY})),
    # §1 the secretary assigns, the street dispatcher and district command dispatch: in their places.
    "can_assign_service_request": Need("place", DISPATCHING),
}


def _may_edit_offer(user: Any, hats: list[Hat], offer: ServiceOffer) -> bool:
    if not user.is_active:
        return False
    if any(h.role in {Role.PLATFORM_ADMIN, DISTRICT} for h in hats):
        return True
    paths = [h.path for h in hats if h.role in {WORKER, SECRETARY} and h.path]
    served = [p.path for p in offer.places.all()]
    return bool(served and paths) and all(any(s.startswith(p) for p in paths) for s in served)


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    world = World()
    offers = [(f"offer#{o.pk}({o.price})", o) for o in ServiceOffer.objects.prefetch_related("places").order_by("pk")]
    for viewer in viewers(matrix_world):
        hats = world.snap.hats(viewer.fresh(), viewer.only)
        for name, need in TABLE.items():
            if names is not None and name not in names:
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            objects = offers if need.reach == "offer" else _objects(world, need)
            for label, obj in objects:
                user = viewer.fresh()
                if need.reach == "offer":
                    want = _may_edit_offer(user, hats, obj)
                else:
                    want = allowed(world, user, hats, need, obj)
                try:
                    got = bool(predicate(user) if need.reach == "role" else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_service_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 300, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_service_predicate() -> None:
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Service catalogue and providers") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_edit_service_offer", lambda user, offer: predicates.can_keep_service_offers(user)),
        ("can_assign_service_request", lambda user, case: predicates.can_read_service_catalogue(user)),
    ],
)
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
