"""The scope rules for the resource and expert library, registered with linli.accounts.scopes (the one place).

Who reads what:
- staff with place grants (grid worker, community staff, street dispatcher, district command) read and
  export the entries under their places; a grant below a street (a community, a grid) opens its whole street,
  since "what is available near my community" is the community first and then the street around it;
- residents and volunteers read the library of the street they live in (their registry record, matched on
  the verified phone's digest, or a place on their grant) — without contact details, which the pages mask
  (linli.accounts.predicates.can_see_resource_contact);
- an entry is also read where it serves (an expert serving a community elsewhere is found there);
- changing (editing, retiring, confirming) is for community workers, secretaries and district command under
  their places, and for an entry's steward, whoever they are;
- a venue's bookings are read by whoever reads the venue (the calendar shows when it is taken; who booked it
  and why is shown only to those who may see it) and by the person who booked; changed (confirmed,
  cancelled) by whoever may change the venue and by the person who booked.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import PLACE_EDITORS, PLACE_READERS, Scope, any_of, keep, under_any
from linli.places.choices import PlaceLevel
from linli.places.models import SEGMENT_WIDTH

TAKING_PART = frozenset({Role.RESIDENT, Role.VOLUNTEER})


def home_paths(user: Any) -> tuple[str, ...]:
    """Where the user's registry record lives (matched on the verified phone's digest), cached on the user."""
    cached = getattr(user, "_linli_home_paths", None)
    if cached is not None:
        return tuple(cached)
    from linli.people.models import Person

    found: set[str] = set()
    digest = getattr(user, "phone_digest", None)
    if digest:
        people = Person.objects.filter(phone_digest=digest, left_on__isnull=True)
        found.update(people.values_list("place__path", flat=True))
    user._linli_home_paths = tuple(sorted(found))
    return tuple(sorted(found))


def widen_to_streets(paths: tuple[str, ...]) -> tuple[str, ...]:
    """Each path below a street replaced by its street's path (one query); paths at a street or above stay."""
    if not paths:
        return ()
    from linli.places.models import Place

    prefixes = {p[:end] for p in paths for end in range(SEGMENT_WIDTH, len(p) + 1, SEGMENT_WIDTH)}
    streets = set(
        Place.objects.filter(level=PlaceLevel.STREET, path__in=sorted(prefixes)).values_list("path", flat=True)
    )
    out = set()
    for path in paths:
        street = next((s for s in streets if path.startswith(s)), None)
        out.add(street or path)
    return tuple(sorted(out))


def reading_areas(scope: Scope, user: Any) -> tuple[str, ...]:
    """The subtrees whose library the user reads, cached per scope on the user object."""
    cached = getattr(user, "_linli_resource_areas", None)
    if cached is not None and cached[0] is scope:
        return tuple(cached[1])
    paths = set(scope.paths(PLACE_READERS))
    if scope.has(TAKING_PART):
        paths |= set(scope.paths(TAKING_PART)) | set(home_paths(user))
    areas = widen_to_streets(tuple(sorted(paths)))
    user._linli_resource_areas = (scope, areas)
    return areas


def resource_condition(scope: Scope, action: str, user: Any, prefix: str = "", serves: bool = True) -> models.Q | None:
    steward = models.Q(**{f"{prefix}steward_id": scope.user_id}) if scope.user_id else None
    if action == "change":
        return any_of(under_any(scope.paths(PLACE_EDITORS), f"{prefix}place__path"), steward)
    areas = reading_areas(scope, user)
    served = None
    if serves and areas:
        from .models import Resource

        through = Resource.serves.through.objects.filter(under_any(areas, "place__path"))
        outer = f"{prefix[:-2]}_id" if prefix else "pk"  # "resource__" → the booking's own resource_id column
        served = models.Q(models.Exists(through.filter(resource_id=models.OuterRef(outer))))
    return any_of(under_any(areas, f"{prefix}place__path"), served, steward)


def resource_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, resource_condition(scope, action, user))


def booking_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    own = models.Q(booked_by_id=scope.user_id) if scope.user_id else None
    return keep(qs, any_of(resource_condition(scope, action, user, "resource__"), own))
