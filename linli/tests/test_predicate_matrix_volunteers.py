"""The generated predicate matrix for volunteers and activities (issue 20): every viewer of the matrix world ×
every volunteers predicate of linli.accounts.predicates × every volunteer, community, activity or sign-up of
the world, against a table written from DESIGN §1 and §9 — never from the code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.places.models import Place
from linli.volunteers.models import Activity, Signup, Volunteer

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat, Snapshot, expected

# §1 "registry upkeep" and the community's own work: community workers and secretaries, and district command
# over its district, keep the volunteer roll and publish activities.
KEEPERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
# §1 residents sign up (phone login); a volunteer already is one.
JOINERS = frozenset({Role.RESIDENT, Role.VOLUNTEER})


@dataclass(frozen=True)
class Need:
    """ "role": a grant of `roles`; "place"/"volunteer"/"activity": a grant of `roles` at or above the community;
    "join": an active volunteer record of one's own, a joiner's grant, and the activity in one's view scope;
    "signup": one's own sign-up (while holding any grant), or a keeper at or above its activity's community."""

    reach: str
    roles: frozenset[str]


TABLE: dict[str, Need] = {
    "can_sign_up_as_volunteer": Need("role", JOINERS),
    "can_keep_volunteers": Need("role", KEEPERS),
    "can_manage_volunteer": Need("volunteer", KEEPERS),
    "can_publish_activities": Need("place", KEEPERS),
    "can_organise_activity": Need("activity", KEEPERS),
    "can_join_activity": Need("join", JOINERS),
    "can_cancel_signup": Need("signup", KEEPERS),
}


def _at(hats: list[Hat], roles: frozenset[str], path: str) -> bool:
    return any(h.role in roles and h.path and path.startswith(h.path) for h in hats)


def allowed(snap: Snapshot, user: Any, hats: list[Hat], need: Need, obj: Any) -> bool:
    if not user.is_active or not hats:
        return False
    if need.reach == "join":  # joining needs one's own volunteer record: an admin without one has no place
        own = Volunteer.objects.filter(user_id=user.pk, state="active").exists()
        visible = obj.pk in expected(snap, user, "volunteers.activity", "view").must
        return own and any(h.role in need.roles for h in hats) and visible
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return True
    if need.reach == "role":
        return any(h.role in need.roles for h in hats)
    if need.reach == "place":
        return _at(hats, need.roles, obj.path)
    if need.reach in ("volunteer", "activity"):
        return _at(hats, need.roles, obj.community.path)
    if need.reach == "signup":
        return obj.volunteer.user_id == user.pk or _at(hats, need.roles, obj.activity.community.path)
    raise AssertionError(need.reach)


def _objects(need: Need) -> list[tuple[str, Any]]:
    if need.reach == "role":
        return [("-", None)]
    if need.reach == "place":
        return [(f"community {p.code}", p) for p in Place.objects.filter(level="community").order_by("path")]
    if need.reach == "volunteer":
        return [(f"volunteer#{v.pk}", v) for v in Volunteer.objects.select_related("community").order_by("pk")]
    if need.reach == "signup":
        rows = Signup.objects.select_related("volunteer", "activity__community").order_by("pk")
        return [(f"signup#{s.pk}", s) for s in rows]
    return [(f"activity#{a.pk}", a) for a in Activity.objects.select_related("community").order_by("pk")]


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
def test_volunteer_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 400, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_volunteers_predicate() -> None:
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Volunteers and activities (linli.volunteers") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_organise_activity", lambda user, activity: predicates.can(user, "view", activity)),
        ("can_manage_volunteer", lambda user, volunteer: predicates.can(user, "view", volunteer)),
        ("can_cancel_signup", lambda user, signup: predicates.can(user, "view", signup)),
    ],
)
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
