"""The assignee directory: which units a user may send work to (issue 15, the third of three questions).

Routing is not reading. A street dispatcher must be able to route a case to the district department that
owns the matter in its street without reading that department's data, so this answer comes from the user's
grants and the units' jurisdictions here, never from `restrict`. The querysets it returns serve pickers and
the validation of routing choices only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import Role
from linli.accounts.scopes import any_of, scope_of, under_any
from linli.places.models import SEGMENT_WIDTH

from .choices import OwnerLevel, UnitKind
from .models import Unit

# Units above a street that take its work: the district departments and the command centre over it.
ABOVE_STREET = (UnitKind.DISTRICT_DEPARTMENT, UnitKind.COMMAND_CENTRE)
# Units above a community that its secretary escalates or hands to.
ABOVE_COMMUNITY = (UnitKind.STREET_OFFICE, UnitKind.COMMUNITY_COMMITTEE)


def ancestry(paths: tuple[str, ...] | list[str]) -> list[str]:
    """Every path on the way down to each of `paths`, itself included: the places that cover them."""
    return sorted({p[:end] for p in paths for end in range(SEGMENT_WIDTH, len(p) + 1, SEGMENT_WIDTH)})


def _covering(paths: tuple[str, ...], kinds: tuple[str, ...]) -> Q | None:
    return Q(kind__in=kinds, jurisdiction__path__in=ancestry(paths)) if paths else None


def assignable_units(user: Any, place: Any = None, matter: Any = None, service_of: Any = None) -> QuerySet[Unit]:
    """Active units the user may route work to; narrowed to those working at `place` (covering it or inside
    it) and, for a district matter, to departments of the matter's type, when given.

    Service providers (issue 20): when `service_of` is the matter of a service request (a matter some
    service kind answers, linli.services) and the user's reach covers `place`, the providers reachable are
    exactly those with an accepting offer of that kind serving the place, wherever their jurisdiction lies;
    for other work a provider is reachable only as any unit is, by its jurisdiction.

    - street dispatcher: every unit working inside its street, and the district departments and command
      centre whose jurisdiction covers the street;
    - district command: every unit working inside its district;
    - community secretary: units inside its community, its committee, and the street office above;
    - platform admin: all; everyone else: none.
    """
    scope = scope_of(user)
    chosen = Unit.objects.filter(is_active=True)
    if scope.empty:
        return chosen.none()
    if not scope.everything:
        streets = scope.paths({Role.STREET_DISPATCHER})
        communities = scope.paths({Role.COMMUNITY_SECRETARY})
        inside = (*scope.paths({Role.DISTRICT_COMMAND}), *streets, *communities)
        reach = any_of(
            under_any(inside, "jurisdiction__path"),
            _covering(streets, ABOVE_STREET),
            _covering(communities, ABOVE_COMMUNITY),
        )
        if reach is None:
            return chosen.none()
        chosen = chosen.filter(pk__in=Unit.objects.filter(reach).values("pk"))
    if place is not None:
        at_place = any_of(
            Q(jurisdiction__path__in=ancestry([place.path])), under_any([place.path], "jurisdiction__path")
        )
        chosen = chosen.filter(pk__in=Unit.objects.filter(at_place).values("pk"))
    if matter is not None and matter.owner_level == OwnerLevel.DISTRICT:
        chosen = chosen.filter(~Q(kind=UnitKind.DISTRICT_DEPARTMENT) | Q(department_type=matter.department_type))
    if service_of is not None and place is not None:
        return _with_matched_providers(scope, chosen, service_of, place)
    return chosen


def _with_matched_providers(scope: Any, chosen: QuerySet[Unit], matter: Any, place: Any) -> QuerySet[Unit]:
    from linli.services.matching import is_service_matter, matching_offers

    if not is_service_matter(matter):
        return chosen
    others = chosen.exclude(kind=UnitKind.SERVICE_PROVIDER).values("pk")
    reach = (*scope.paths({Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER, Role.COMMUNITY_SECRETARY}),)
    if not (scope.everything or any(place.path.startswith(path) for path in reach)):
        return Unit.objects.filter(pk__in=others)
    offered = matching_offers(matter, place).values("unit_id")
    return Unit.objects.filter(Q(pk__in=others) | Q(pk__in=offered), is_active=True)


def may_assign(user: Any, unit: Unit, place: Any = None, matter: Any = None, service_of: Any = None) -> bool:
    return assignable_units(user, place=place, matter=matter, service_of=service_of).filter(pk=unit.pk).exists()


def routable_units(place: Any) -> QuerySet[Unit]:
    """Where the system itself (automatic dispatch) may send work at `place`: an active unit whose
    jurisdiction covers the place, or lies inside the place's street. Never further: an engine that is
    wrong about a unit in another street must land in a person's queue, not in that street's. Never to a
    service provider: a provider is a person's choice among the matched ones (linli.services)."""
    from linli.places.choices import PlaceLevel

    street = place.ancestor_at(PlaceLevel.STREET) or place
    reach = any_of(Q(jurisdiction__path__in=ancestry([place.path])), under_any([street.path], "jurisdiction__path"))
    chosen = Unit.objects.filter(is_active=True, pk__in=Unit.objects.filter(reach).values("pk"))
    return chosen.exclude(kind=UnitKind.SERVICE_PROVIDER)


def may_route(unit: Unit, place: Any) -> bool:
    return routable_units(place).filter(pk=unit.pk).exists()
