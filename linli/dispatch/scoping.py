"""The scope rules for dispatch, registered with linli.accounts.scopes (the one place)."""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import WORK_RECEIVERS, Scope, any_of, granted_units, keep, under_any

# Roles that decide and correct dispatch; they read decisions at their places and to their units.
DECIDERS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND, Role.COMMUNITY_SECRETARY})
# Roles that read decisions at their places but correct none.
PLACE_WATCHERS = frozenset({Role.COMMUNITY_WORKER, Role.GRID_WORKER})


def _to_units(scope: Scope, roles: frozenset[str]) -> models.Q | None:
    if not scope.holds_units(roles):
        return None
    units = granted_units(scope, roles)
    return models.Q(unit__in=units) | models.Q(final_unit__in=units)


def decisions_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    if action == "change":
        return keep(qs, any_of(under_any(scope.paths(DECIDERS), "place__path"), _to_units(scope, DECIDERS)))
    mine = models.Q(requested_by_id=scope.user_id)
    placed = under_any(scope.paths(DECIDERS | PLACE_WATCHERS), "place__path")
    return keep(qs, any_of(mine, placed, _to_units(scope, DECIDERS | WORK_RECEIVERS)))


def examples_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """Training text is read by those who retrain the model: district command sees the examples from its
    district and those that cannot be placed (the imported base set)."""
    if action == "change" or not scope.has({Role.DISTRICT_COMMAND}):
        return qs.none()
    if scope.everything:
        return qs
    unplaced = models.Q(decision__isnull=True) | models.Q(decision__place__isnull=True)
    return keep(qs, any_of(unplaced, under_any(scope.paths({Role.DISTRICT_COMMAND}), "decision__place__path")))


def decision_places(units: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Where dispatch gave work to `units`: the places of decisions routed or corrected to them."""
    from .models import DispatchDecision

    routed = DispatchDecision.objects.filter(models.Q(unit__in=units) | models.Q(final_unit__in=units))
    return routed.filter(place__isnull=False).values("place_id")
