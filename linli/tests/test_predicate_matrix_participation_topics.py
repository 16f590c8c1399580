"""The generated predicate matrix for deliberation (issue 19): every viewer of the matrix world × every
deliberation predicate of linli.accounts.predicates × every place or topic of the world, against a table
written from DESIGN §8 and §1 — who may raise a topic where, take part, moderate and steer — never from the
code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.participation.models import Topic
from linli.places.models import Place

from .matrix_checks import Result
from .matrix_spec_participation_topics import _reach
from .test_matrix_probes import queryset_probes, viewers
from .test_matrix_spec import Hat, Snapshot

GRID, WORKER, SECRETARY = Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY
DISTRICT = Role.DISTRICT_COMMAND
# §8: topics are scoped to a building, estate or community.
LEVELS = {"building", "estate", "community"}
# §8 "topics raised by residents, grid workers or the committee": the committee is the community's staff;
# district command, which keeps the community's place tree, raises under its district too.
RAISERS = {GRID, WORKER, SECRETARY, DISTRICT}
RESIDENTS = {Role.RESIDENT, Role.VOLUNTEER}
# §8 the committee runs deliberation: moderation, meetings, decisions, follow-up; the same hands as keep the
# community's places (§1 community worker and secretary; district command under its district).
COMMITTEE = {WORKER, SECRETARY, DISTRICT}


def _topic_failures(result: Result) -> list[str]:
    """The scope matrix's failures, less the "no oracle yet" notes about other models of the app (the owners'
    votes bring their own spec)."""
    return [f for f in result.failures if "has no oracle" not in f or "participation.topic" in f]


TABLE = ("can_raise_topic", "can_comment", "can_moderate_topics", "can_steer_topic")


def _admin(hats: list[Hat]) -> bool:
    return any(h.role == Role.PLATFORM_ADMIN for h in hats)


def may_raise(snap: Snapshot, user: Any, hats: list[Hat], place: Place) -> bool:
    if not user.is_active or not place.is_active or place.level not in LEVELS:
        return False
    if _admin(hats):
        return True
    grants = [h.path for h in hats if h.role in RAISERS and h.path]
    if any(place.path.startswith(g) or g.startswith(place.path) for g in grants):
        return True
    homes = snap.topic_facts.homes.get(user.pk, set()) if any(h.role in RESIDENTS for h in hats) else set()
    return any(home.startswith(place.path) for home in homes)


def may_on_topic(snap: Snapshot, user: Any, hats: list[Hat], name: str, topic: Topic) -> bool:
    if not user.is_active or not hats:
        return False
    if _admin(hats):
        return True
    if name == "can_comment":  # §8 discussion: whoever the topic is for, i.e. whoever reads it
        return topic.pk in _reach(snap.topic_facts, user, hats, "view")
    return any(h.role in COMMITTEE and h.path and topic.place.path.startswith(h.path) for h in hats)


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    snap = Snapshot()
    places = list(Place.objects.order_by("path"))
    topics = list(Topic.objects.select_related("place").order_by("pk"))
    for viewer in viewers(matrix_world):
        hats = snap.hats(viewer.fresh(), viewer.only)
        for name in TABLE:
            if names is not None and name not in names:
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            objects: list[Any] = places if name == "can_raise_topic" else topics
            for obj in objects:
                user = viewer.fresh()
                if name == "can_raise_topic":
                    want = may_raise(snap, user, hats, obj)
                else:
                    want = may_on_topic(snap, user, hats, name, obj)
                try:
                    got = bool(predicate(user, obj))
                except Exception as exc:  # a crash is a failed probe, reported with the rest
                    result.check(False, f"{viewer.name} {name} {obj}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {obj}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_deliberation_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 1000, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"
    # The topic rows of the scope matrix, here too, so that this file alone checks deliberation's reach.
    labels = {"participation.topic", "participation.comment", "participation.meeting", "participation.topicevent"}
    scoped = queryset_probes(matrix_world, labels)
    assert scoped.count >= 400 and not _topic_failures(scoped), _topic_failures(scoped)[:20]


def test_the_table_names_every_deliberation_predicate() -> None:
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Deliberation (议事协商") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        # The committee of another community, or a grid worker, would steer.
        ("can_steer_topic", lambda user, topic: predicates.can_comment(user, topic)),
        ("can_moderate_topics", lambda user, topic: predicates.is_government_staff(user)),
        # A resident would raise anywhere in the city.
        ("can_raise_topic", lambda user, place: place is not None and place.level in LEVELS),
        ("can_comment", lambda user, topic: True),
    ],
)
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name


@pytest.mark.django_db
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_topic_rule_fails_the_scope_matrix(matrix_world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the raiser's own clause, resident B loses their far-away topic: the matrix must notice."""
    from linli.accounts import scopes
    from linli.participation import scoping

    def forgetful(qs: Any, scope: Any, action: str, user: Any) -> Any:
        if scope.everything:
            return qs
        return scoping.keep(qs, scoping.place_condition(scope, action, user, "place__path"))

    assert not _topic_failures(queryset_probes(matrix_world, {"participation.topic"}))
    monkeypatch.setitem(scopes.RULES, "participation.topic", forgetful)
    assert _topic_failures(queryset_probes(matrix_world, {"participation.topic"}))
