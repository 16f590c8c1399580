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


def within_reading_area(field: str, scope: Scope, user: Any) -> models.Q | None:
    """Rows whose place path (`field`) lies in the library the user reads: under one of their reading places or
    under the street around one of them; for residents and volunteers, also under the street around their
    registry home (matched on the verified phone's digest), or under the home itself where no street is above
    it. All of it SQL subqueries, so that `restrict` stays at two queries."""
    from django.db.models.functions import Length, Substr

    from linli.people.models import Person
    from linli.places.models import Place

    paths = set(scope.paths(PLACE_READERS))
    digest = None
    if scope.has(TAKING_PART):
        paths |= set(scope.paths(TAKING_PART))
        digest = getattr(user, "phone_digest", None) or None
    ordered = sorted(paths)
    prefixes = sorted({p[:end] for p in ordered for end in range(SEGMENT_WIDTH, len(p) + 1, SEGMENT_WIDTH)})
    row_path = models.OuterRef(field)
    streets_above_row = Place.objects.filter(level=PlaceLevel.STREET, path=Substr(row_path, 1, Length("path")))
    around_places = models.Q(models.Exists(streets_above_row.filter(path__in=prefixes))) if prefixes else None
    around_home = home = None
    if digest:
        homes = Person.objects.filter(phone_digest=digest, left_on__isnull=True)
        home_below = homes.filter(place__path__startswith=models.OuterRef("path"))
        around_home = models.Q(models.Exists(streets_above_row.filter(models.Exists(home_below))))
        home = models.Q(models.Exists(homes.filter(place__path=Substr(row_path, 1, Length("place__path")))))
    return any_of(under_any(ordered, field), around_places, around_home, home)


def resource_condition(scope: Scope, action: str, user: Any, prefix: str = "", serves: bool = True) -> models.Q | None:
    steward = models.Q(**{f"{prefix}steward_id": scope.user_id}) if scope.user_id else None
    if action == "change":
        return any_of(under_any(scope.paths(PLACE_EDITORS), f"{prefix}place__path"), steward)
    from .models import Resource

    through = Resource.serves.through.objects.all()
    served_here = within_reading_area("place__path", scope, user) if serves else None
    served = None
    if served_here is not None:
        outer = f"{prefix[:-2]}_id" if prefix else "pk"  # "resource__" → the booking's own resource_id column
        served = models.Q(models.Exists(through.filter(served_here, resource_id=models.OuterRef(outer))))
    return any_of(within_reading_area(f"{prefix}place__path", scope, user), served, steward)


def resource_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    return keep(qs, resource_condition(scope, action, user))


def booking_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    own = models.Q(booked_by_id=scope.user_id) if scope.user_id else None
    return keep(qs, any_of(resource_condition(scope, action, user, "resource__"), own))
