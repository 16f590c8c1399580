"""The scope rules for cases and what hangs off them, registered with linli.accounts.scopes (the one place).

- a reporter reads their own requests, whatever roles they hold;
- place roles (grid, community, street, district) read cases at places under their grants;
- departments and providers read cases that were ever given to their units (lead, co-handling, whistle);
- auditors read none of it (they read the audit trail), volunteers only their own requests.
Changing and exporting is for the staff side only, on the same reach less the "own" clause.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import WORK_RECEIVERS, Scope, any_of, granted_units, keep, under_any, unit_tree

PLACE_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.COMMUNITY_SECRETARY,
        Role.STREET_DISPATCHER,
        Role.DISTRICT_COMMAND,
    }
)


def _given_to_units(scope: Scope, prefix: str = "") -> models.Q | None:
    if not scope.holds_units(WORK_RECEIVERS | {Role.DISTRICT_COMMAND}):
        return None
    from .models import CaseAssignment, WhistleCall

    units = models.Q(unit_tree(granted_units(scope, WORK_RECEIVERS | {Role.DISTRICT_COMMAND}), "unit__"))
    assigned = CaseAssignment.objects.filter(units).values("case_id")
    summoned = WhistleCall.objects.filter(units).values("case_id")
    return models.Q(**{f"{prefix}pk__in": assigned}) | models.Q(**{f"{prefix}pk__in": summoned})


def case_condition(scope: Scope, action: str, prefix: str = "") -> models.Q | None:
    placed = under_any(scope.paths(PLACE_ROLES), f"{prefix}place__path")
    units = _given_to_units(scope, prefix)
    if action in ("change", "export"):
        return any_of(placed, units)
    own = models.Q(**{f"{prefix}reporter_id": scope.user_id}) if scope.user_id else None
    return any_of(own, placed, units)


def cases_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, case_condition(scope, action))


def case_part_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """Events, photos, assignments, returns, approvals and whistle calls: read with their case; written only
    through the case's actions, so "change" here is the case's."""
    if scope.everything:
        return qs
    return keep(qs, case_condition(scope, action, prefix="case__"))


def case_places(units: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """Where cases were given to `units`: their handlers read these places as the context of that work."""
    from .models import Case, CaseAssignment

    given = CaseAssignment.objects.filter(unit__in=units).values("case_id")
    return Case.objects.filter(pk__in=given).values("place_id")
