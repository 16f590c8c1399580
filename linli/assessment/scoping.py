"""Scope rules for the assessment figures (registered with linli.accounts.scopes, the one place).

- a case's fact goes with its case (the closed loop's rule);
- a unit's day rows are read by whoever may read the unit (a unit's own figures, the units of one's places,
  the district's all), and written only by the fold;
- a grid's day rows are read by the place roles under whose places the grid lies.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import PLACE_READERS, Scope, keep, under_any
from linli.cases.scoping import case_condition


def fact_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, case_condition(scope, "change" if action == "change" else "export", prefix="case__"))


def unit_stat_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    from linli.orgs.models import Unit

    if scope.everything:
        return qs if action != "change" else qs.none()
    if action == "change":
        return qs.none()
    return qs.filter(unit__in=Unit.objects.restrict(user, "view").values("pk"))


def place_stat_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs if action != "change" else qs.none()
    if action == "change":
        return qs.none()
    return keep(qs, under_any(scope.paths(PLACE_READERS), "place__path"))
