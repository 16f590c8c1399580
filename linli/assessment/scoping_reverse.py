"""Scope rules for the reverse assessment (registered with linli.accounts.scopes, the one place).

- an exchange rating and a survey answer are read by the people of the rater unit and of the rated unit (those
  a grant in force makes act as the unit, or a unit above it: linli.accounts.membership.member_units), and by
  district command when a jurisdiction place of the rater or the rated unit lies under its district grants;
  "export" and "pick" read the same; platform administrators read all;
- a survey (its period and questions, no answers) is read by the staff of its district: place roles whose
  places lie in it, and the people of units working in it;
- none of them is changed through a scope: they are written only by linli.assessment.actions_reverse.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.membership import member_units
from linli.accounts.scopes import (
    PLACE_READERS,
    WORK_RECEIVERS,
    Scope,
    any_of,
    granted_units,
    keep,
    under_any,
    unit_tree,
)
from linli.orgs.directory import ancestry


def _units(condition: models.Q | None) -> models.QuerySet[Any] | None:
    from linli.orgs.models import Unit

    return None if condition is None else Unit.objects.filter(condition).values("pk")


def rating_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """ExchangeRating and SurveyAnswer alike."""
    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    conditions: list[models.Q | None] = []
    for units in (
        _units(member_units(scope)),
        _units(under_any(scope.paths({Role.DISTRICT_COMMAND}), "jurisdiction__path")),
    ):
        if units is not None:
            conditions += [models.Q(rater_unit__in=units), models.Q(rated_unit__in=units)]
    return keep(qs, any_of(*conditions))


def survey_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    from linli.orgs.models import Unit

    if action == "change":
        return qs.none()
    if scope.everything:
        return qs
    paths = scope.paths(PLACE_READERS)
    placed = models.Q(district__path__in=ancestry(paths)) if paths else None
    worked = None
    if scope.holds_units(WORK_RECEIVERS):
        mine = Unit.objects.filter(unit_tree(granted_units(scope, WORK_RECEIVERS))).values("pk")
        inside = Unit.jurisdiction.through.objects.filter(
            unit_id__in=mine, place__path__startswith=models.OuterRef("district__path")
        )
        worked = models.Q(models.Exists(inside))
    return keep(qs, any_of(placed, worked))
