"""Scope rules for the assessment figures (registered with linli.accounts.scopes, the one place).

- a case's fact is read with its case by the staff who work on it (the closed loop's export reach), and
  changed by nobody: the fold writes it;
- a unit's day rows are read by whoever may read the unit (a unit's own figures, the units of one's places,
  the district's all), and written only by the fold;
- a grid's day rows are read by the place roles under whose places the grid lies.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import (
    PLACE_READERS,
    Scope,
    any_of,
    granted_units,
    keep,
    scope_of,
    under_any,
    unit_tree,
    units_wholly_under,
)
from linli.cases.scoping import case_condition
from linli.orgs.choices import UnitKind
from linli.places.choices import PlaceLevel


def fact_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if action == "change":
        return qs.none()  # written only by the fold, from the timeline: nobody edits a fact
    if scope.everything:
        return qs
    return keep(qs, case_condition(scope, "export", prefix="case__"))


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


# --------------------------------------------------------------------------------------------------
# Who reads which unit's figures and which rankings (DESIGN §1 "sees" with §6). The day rows' rule above is
# the data scope (whoever reads a unit may read its rows); the pages narrow it by role: district command
# every unit of its district, a street dispatcher its street office and the communities of its street,
# community staff their community committee, a department's handlers their department (and its sections).

# Roles that read units' figures by place, each with the kinds of units it reads (None: every kind).
FIGURE_KINDS_BY_PLACE: tuple[tuple[frozenset[str], frozenset[str] | None], ...] = (
    (frozenset({Role.DISTRICT_COMMAND}), None),
    (frozenset({Role.STREET_DISPATCHER}), frozenset({UnitKind.STREET_OFFICE, UnitKind.COMMUNITY_COMMITTEE})),
    (frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY}), frozenset({UnitKind.COMMUNITY_COMMITTEE})),
)
FIGURE_UNIT_ROLES = frozenset({Role.DEPARTMENT_HANDLER})

# Peer groups (DESIGN §6: streets with streets, departments with departments), the kind each ranks, and who
# reads each ranking: district command all, street dispatchers the streets', departments the departments'.
RANK_GROUPS: dict[str, str] = {
    "streets": UnitKind.STREET_OFFICE,
    "departments": UnitKind.DISTRICT_DEPARTMENT,
    "communities": UnitKind.COMMUNITY_COMMITTEE,
}
RANK_READERS: dict[str, frozenset[str]] = {
    "streets": frozenset({Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER}),
    "departments": frozenset({Role.DISTRICT_COMMAND, Role.DEPARTMENT_HANDLER}),
    "communities": frozenset({Role.DISTRICT_COMMAND}),
}
# Levels at or above which a place is itself a ranking's area; below, the district above it is.
AREA_LEVELS = frozenset({PlaceLevel.PROVINCE, PlaceLevel.CITY, PlaceLevel.DISTRICT})


def figure_condition(scope: Scope) -> models.Q | None:
    """The units whose figures the scope's roles read, as a condition on Unit (None: none)."""
    parts: list[models.Q | None] = []
    for roles, kinds in FIGURE_KINDS_BY_PLACE:
        placed = units_wholly_under(scope.paths(roles))
        if placed is not None and kinds is not None:
            placed &= models.Q(kind__in=sorted(kinds))
        parts.append(placed)
    if scope.holds_units({Role.DISTRICT_COMMAND}):
        parts.append(models.Q(pk__in=granted_units(scope, {Role.DISTRICT_COMMAND})))
    if scope.holds_units(FIGURE_UNIT_ROLES):
        parts.append(unit_tree(granted_units(scope, FIGURE_UNIT_ROLES)))
    return any_of(*parts)


def figure_units(user: Any) -> models.QuerySet[Any]:
    """Units whose figures the user reads: inside the unit scope, narrowed by role (one query when run)."""
    from linli.orgs.models import Unit

    units = Unit.objects.restrict(user, "view")
    scope = scope_of(user)
    return units if scope.everything else keep(units, figure_condition(scope))


def ranking_areas(user: Any, group: str) -> models.QuerySet[Any]:
    """The places (districts, as a rule) within which the user reads the ranking of `group`: district
    command its own places, a street dispatcher the district of its street, a department the district of its
    jurisdiction; platform admins every district."""
    from linli.orgs.models import Unit
    from linli.places.models import SEGMENT_WIDTH, Place

    scope = scope_of(user)
    if scope.everything:
        return Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("code")
    readers = RANK_READERS.get(group, frozenset())
    own: set[str] = set(scope.paths(readers & {Role.DISTRICT_COMMAND}))
    below: set[str] = set(scope.paths(readers & {Role.STREET_DISPATCHER}))
    united = readers & {Role.DISTRICT_COMMAND, Role.DEPARTMENT_HANDLER}
    if scope.holds_units(united):
        through = Unit.jurisdiction.through.objects.filter(unit_id__in=granted_units(scope, united))
        for path, level in through.values_list("place__path", "place__level"):
            (own if level in AREA_LEVELS else below).add(path)
    prefixes = {path[:cut] for path in below for cut in range(SEGMENT_WIDTH, len(path), SEGMENT_WIDTH)}
    if not own and not prefixes:
        return Place.objects.none()
    wanted = models.Q(path__in=sorted(own)) | models.Q(path__in=sorted(prefixes), level=PlaceLevel.DISTRICT)
    return Place.objects.filter(wanted).order_by("code")


def ranked_units(area_path: str, group: str) -> models.QuerySet[Any]:
    """The peer group within an area: units of the group's kind whose jurisdiction lies wholly under it."""
    from linli.orgs.models import Unit

    return keep(Unit.objects.filter(kind=RANK_GROUPS[group]), units_wholly_under((area_path,)))
