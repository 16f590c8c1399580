"""Who works for a unit: the people whose grants make them act *as* that unit (accept, answer, return, report
on a whistle). A predicate asks this; reading needs only `restrict` (linli.accounts.scopes)."""

from __future__ import annotations

from typing import Any

from django.db import models

from .choices import Role
from .scopes import Scope, any_of, scope_of, unit_tree

# Place grants that make their holder a member of the unit of a kind working at exactly that place.
UNIT_OF_PLACE_ROLE = {
    Role.COMMUNITY_WORKER: "community_committee",
    Role.COMMUNITY_SECRETARY: "community_committee",
    Role.STREET_DISPATCHER: "street_office",
    Role.DISTRICT_COMMAND: "command_centre",
}


def member_units(scope: Scope) -> models.Q | None:
    """The units the user works for, as a condition on Unit: a unit named by any of their grants (and the
    units below it), or the committee, street office or command centre at a place their grant names. Work
    done *as* a unit (accepting, answering, returning) needs this; reading needs only `restrict`."""
    from .models import Grant

    conditions: list[models.Q | None] = []
    if any(g.unit_id for g in scope.grants):
        rows = Grant.objects.active().filter(user_id=scope.user_id or 0, unit__isnull=False)
        if scope.only_grant_ids is not None:
            rows = rows.filter(pk__in=sorted(scope.only_grant_ids))
        conditions.append(unit_tree(rows.values("unit_id")))
    for role, kind in UNIT_OF_PLACE_ROLE.items():
        paths = scope.paths({role})
        if paths:
            conditions.append(models.Q(kind=kind, jurisdiction__path__in=paths))
    return any_of(*conditions)


def works_for(user: Any, unit: Any) -> bool:
    from linli.orgs.models import Unit

    if unit is None:
        return False
    scope = scope_of(user)
    if scope.everything:
        return True
    condition = member_units(scope)
    return condition is not None and Unit.objects.filter(condition, pk=unit.pk).exists()
