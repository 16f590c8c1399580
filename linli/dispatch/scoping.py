"""The scope rule for dispatch decisions, registered with linli.accounts.scopes (the one place)."""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import Scope, _any_of, _filter, _under_any

from .permissions import DISPATCHERS


def decisions_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change" and not (scope.everything or scope.role in DISPATCHERS):
        return qs.none()
    if scope.everything:
        return qs
    if scope.empty:
        return qs.none()
    mine = models.Q(requested_by=user) if getattr(user, "pk", None) else None
    placed = _under_any(scope.place_paths, "place__path")
    units = models.Q(unit__in=scope.unit_ids) | models.Q(final_unit__in=scope.unit_ids) if scope.unit_ids else None
    return _filter(qs, _any_of(mine if action == "view" else None, placed, units))
