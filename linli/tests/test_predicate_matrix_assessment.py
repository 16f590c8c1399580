"""The generated predicate matrix for the assessment (issue 18): every viewer of the matrix world (each role's
side-A user and side-B outsider, the superuser, the two-hat, expired and inactive users, and token-narrowed
viewers) × every assessment predicate of linli.accounts.predicates × every unit or peer group, against a table
written from DESIGN §1 and §6 (linli/tests/matrix_spec_assessment.py for whose figures and which rankings),
never from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.orgs.models import Unit

from .matrix_checks import Result
from .matrix_spec_assessment import GROUP_KINDS, figure_units, may_rank
from .test_matrix_probes import viewers
from .test_matrix_spec import Snapshot

# §1: district command "assessment, rankings"; the street dispatcher, community staff and departments read
# their own unit's figures (§6 "for each unit"); grid workers, providers, volunteers, residents and auditors
# none (a provider is matched to requests, not assessed on this page).
READERS = frozenset(
    {
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.STREET_DISPATCHER,
        Role.DEPARTMENT_HANDLER,
        Role.DISTRICT_COMMAND,
    }
)


@dataclass(frozen=True)
class Need:
    """ "role": a grant of `roles`; "unit": the unit's figures are the viewer's (figure_units); "group": the
    viewer may rank the peer group (may_rank). Platform admins always; an inactive account never."""

    reach: str
    roles: frozenset[str] = frozenset()


TABLE: dict[str, Need] = {
    "can_read_assessment": Need("role", READERS),
    # §6 weights and k are "configurable": the district's assessment rule, set by district command.
    "can_edit_scheme": Need("role", frozenset({Role.DISTRICT_COMMAND})),
    "can_read_unit_figures": Need("unit"),
    "can_read_ranking": Need("group"),
}


def allowed(snap: Snapshot, user: Any, hats: list[Any], need: Need, obj: Any) -> bool:
    if not user.is_active:
        return False
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return need.reach != "group" or obj in GROUP_KINDS
    if need.reach == "role":
        return any(h.role in need.roles for h in hats)
    if need.reach == "unit":
        return obj.pk in figure_units(snap, hats)
    return obj in GROUP_KINDS and may_rank(hats, obj)


def _objects(need: Need) -> list[tuple[str, Any]]:
    if need.reach == "role":
        return [("-", None)]
    if need.reach == "group":
        return [(group, group) for group in (*GROUP_KINDS, "provinces")]
    return [(f"unit {u.code}", u) for u in Unit.objects.order_by("code")]


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    snap = Snapshot()
    missing = [n for n in TABLE if not callable(getattr(predicates, n, None))]
    for name in missing:
        result.check(False, f"predicate {name} is in the table but not in linli.accounts.predicates")
    objects = {need.reach: _objects(need) for need in TABLE.values()}
    for viewer in viewers(matrix_world):
        hats = snap.hats(viewer.fresh(), viewer.only)
        for name, need in TABLE.items():
            if name in missing or (names is not None and name not in names):
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj in objects[need.reach]:
                user = viewer.fresh()
                want = allowed(snap, user, hats, need, obj)
                try:
                    got = bool(predicate(user) if need.reach == "role" else predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_assessment_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 400, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_assessment_predicate() -> None:
    """A new predicate in the assessment's section of predicates.py must get a row in the table."""
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Assessment (linli.assessment") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


def _every_unit_in_scope(user: Any, unit: Any) -> bool:
    """The unit scope alone: a street dispatcher would read its providers', a handler its department's alone."""
    from linli.accounts.scopes import can

    return predicates.can_read_assessment(user) and can(user, "view", unit)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_read_unit_figures", _every_unit_in_scope),
        ("can_read_ranking", lambda user, group: predicates.can_read_assessment(user)),
        ("can_edit_scheme", lambda user: predicates.can_read_assessment(user)),
        ("can_read_assessment", lambda user: predicates.is_government_staff(user)),
    ],
)
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
