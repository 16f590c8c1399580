"""Data scopes, enforced here and only here.

A user sees what lies under the places and inside the units granted to them (DESIGN §1). Every read path
— pages, API, exports, dashboards — starts from `Model.objects.restrict(user, action)`, which lands in
`restrict` below, the way NetBox's RestrictedQuerySet does. A model without a rule here cannot be
restricted at all, so a new model cannot silently leak: `restrict` raises for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any, cast

from django.db import models

from .choices import Role

# Who may change what, inside their scope. Reading is governed by the scope alone.
PLACE_EDITORS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND, Role.PLATFORM_ADMIN})
RESPONSIBILITY_EDITORS = frozenset({Role.DISTRICT_COMMAND, Role.PLATFORM_ADMIN})
UNIT_EDITORS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND, Role.PLATFORM_ADMIN})
AUDIT_READERS = frozenset({Role.AUDITOR, Role.PLATFORM_ADMIN})
ACTIONS = frozenset({"view", "change", "export"})


@dataclass(frozen=True)
class Scope:
    everything: bool
    role: str
    place_paths: tuple[str, ...]
    unit_ids: frozenset[int]

    @property
    def empty(self) -> bool:
        return not self.everything and not self.place_paths and not self.unit_ids


NO_SCOPE = Scope(everything=False, role="", place_paths=(), unit_ids=frozenset())


def scope_of(user: Any) -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    cached: Scope | None = getattr(user, "_linli_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser or user.role == Role.PLATFORM_ADMIN:
        scope = Scope(everything=True, role=Role.PLATFORM_ADMIN, place_paths=(), unit_ids=frozenset())
    else:
        paths = tuple(sorted(user.places.values_list("path", flat=True)))
        scope = Scope(everything=False, role=user.role, place_paths=paths, unit_ids=_units_with_children(user))
    user._linli_scope = scope
    return scope


def forget_scope(user: Any) -> None:
    """Drop the per-request cache after the user's grants change."""
    if hasattr(user, "_linli_scope"):
        del user._linli_scope


def _units_with_children(user: Any) -> frozenset[int]:
    from linli.orgs.models import Unit

    found = set(user.units.values_list("id", flat=True))
    frontier = set(found)
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return frozenset(found)


def _under_any(paths: tuple[str, ...], field: str) -> models.Q | None:
    from linli.places.models import subtree_q

    if not paths:
        return None
    return reduce(or_, (subtree_q(p, field=field) for p in paths))


def _any_of(*conditions: models.Q | None) -> models.Q | None:
    present = [c for c in conditions if c is not None]
    return reduce(or_, present) if present else None


def _filter[T: models.Model](
    qs: models.QuerySet[T], condition: models.Q | None, distinct: bool = False
) -> models.QuerySet[T]:
    if condition is None:
        return qs.none()
    qs = qs.filter(condition)
    return qs.distinct() if distinct else qs


def _places(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change" and scope.role not in PLACE_EDITORS:
        return qs.none()
    if scope.everything:
        return qs
    unit_paths: tuple[str, ...] = ()
    if scope.unit_ids:
        from linli.places.models import Place

        unit_paths = tuple(Place.objects.filter(units__in=scope.unit_ids).values_list("path", flat=True).distinct())
    if action == "change":
        unit_paths = ()  # a department may read its jurisdiction's places but not edit the registry
    return _filter(qs, _under_any(tuple(sorted(set(scope.place_paths) | set(unit_paths))), "path"))


def _units(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change" and scope.role not in UNIT_EDITORS:
        return qs.none()
    if scope.everything:
        return qs
    own = models.Q(pk__in=scope.unit_ids) if scope.unit_ids else None
    # A unit is in a place scope only when all of its jurisdiction lies there: a district department
    # covering the whole district is not "inside" one street.
    inside = models.Q(pk__in=_units_wholly_under(scope.place_paths)) if scope.place_paths else None
    return _filter(qs, _any_of(own, inside))


def _units_wholly_under(paths: tuple[str, ...]) -> list[int]:
    from linli.orgs.models import Unit

    under = _under_any(paths, "jurisdiction__path")
    if under is None:
        return []
    touching = set(Unit.objects.filter(under).values_list("pk", flat=True))
    if not touching:
        return []
    from linli.places.models import subtree_q

    outside = reduce(lambda a, b: a & b, (~subtree_q(p, field="jurisdiction__path") for p in paths))
    leaking = set(Unit.objects.filter(pk__in=touching).filter(outside).values_list("pk", flat=True))
    return sorted(touching - leaking)


def _matters(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    # The responsibility list is a public catalogue (Open311 publishes it as services); only editing is scoped.
    if action == "change":
        return qs if scope.everything or scope.role in RESPONSIBILITY_EDITORS else qs.none()
    return qs if getattr(user, "is_authenticated", False) else qs.none()


def _admissions(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    from linli.orgs.models import Matter

    # An admission record is read and changed by whoever may read and change its matter.
    return qs.filter(matter__in=_matters(Matter.objects.all(), scope, action, user))


def _users(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    if action == "change" and scope.role not in {Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER}:
        return qs.none()
    me = models.Q(pk=getattr(user, "pk", None)) if getattr(user, "pk", None) else None
    if scope.role in {Role.RESIDENT, Role.VOLUNTEER, Role.SERVICE_PROVIDER, Role.AUDITOR}:
        return _filter(qs, me)
    placed = _under_any(scope.place_paths, "places__path")
    united = models.Q(units__in=scope.unit_ids) if scope.unit_ids else None
    return _filter(qs, _any_of(me, placed, united), distinct=True)


def _audit(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action != "change" and (scope.everything or scope.role in AUDIT_READERS):
        return qs
    return qs.none()


RULES: dict[str, Callable[[models.QuerySet[Any], Scope, str, Any], models.QuerySet[Any]]] = {
    "places.place": _places,
    "orgs.unit": _units,
    "orgs.matter": _matters,
    "orgs.matteradmission": _admissions,
    "accounts.user": _users,
    "core.auditevent": _audit,
}


def register(label: str, rule: Callable[[models.QuerySet[Any], Scope, str, Any], models.QuerySet[Any]]) -> None:
    """Later apps (cases, dispatch…) add their rule here so that scoping stays in one function."""
    RULES[label] = rule


def restrict[Q: models.QuerySet[Any]](qs: Q, user: Any, action: str = "view") -> Q:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    label = qs.model._meta.label_lower
    try:
        rule = RULES[label]
    except KeyError:
        raise LookupError(f"no scope rule for {label}: add one to linli.accounts.scopes") from None
    return cast(Q, rule(qs, scope_of(user), action, user))


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether `obj` is within the user's scope for `action`; the same rule as every list uses."""
    manager = type(obj)._default_manager
    return restrict(manager.filter(pk=obj.pk), user, action).exists()
