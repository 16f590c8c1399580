"""Scoped reads of the library: every list starts from `restrict` (linli.accounts.scopes).

Distance on the place tree is counted from a reference place (the place asked about, or the reader's
home): same community, same street, elsewhere — in SQL, so that a page of results sorts and counts in the
database whatever the size of the library.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Case, Exists, OuterRef, Value, When

from linli.places.choices import PlaceLevel
from linli.places.models import Place, subtree_q

from .choices import HOLDING_STATES, Distance
from .models import Booking, Resource, stale_cutoff
from .scoping import home_paths


def resources_for(user: Any, action: str = "view") -> models.QuerySet[Resource]:
    return Resource.objects.restrict(user, action).select_related("place")


def bookings_for(user: Any, action: str = "view") -> models.QuerySet[Booking]:
    return Booking.objects.restrict(user, action)


@dataclass(frozen=True)
class Neighbourhood:
    """The reference place's community and street paths (either may be missing above that level)."""

    place: Place
    community: str | None
    street: str | None

    @property
    def area(self) -> str:
        """The subtree searched: the street around the place, or the place itself at a street or above."""
        return self.street or self.place.path


def neighbourhood(place: Place) -> Neighbourhood:
    found = dict(
        Place.objects.filter(
            pk__in=[*place.ancestor_ids, place.pk], level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY]
        ).values_list("level", "path")
    )
    return Neighbourhood(place, found.get(PlaceLevel.COMMUNITY), found.get(PlaceLevel.STREET))


def home_place(user: Any) -> Place | None:
    """The reader's home community (or the deepest place of their first place grant), for "near me"."""
    from linli.accounts.scopes import scope_of

    paths = list(home_paths(user)) or [g.place_path for g in scope_of(user).grants if g.place_path]
    if not paths:
        return None
    path = sorted(paths)[0]
    prefixes = [path[:end] for end in range(10, len(path) + 1, 10)]
    candidates = Place.objects.filter(path__in=prefixes).order_by("-depth")
    community = next((p for p in candidates if p.level == PlaceLevel.COMMUNITY), None)
    return community or candidates.first()


def _near(path: str | None, field: str = "place__path") -> models.Q:
    if path is None:
        return models.Q(pk__in=[])
    served = Resource.serves.through.objects.filter(subtree_q(path, field="place__path"), resource_id=OuterRef("pk"))
    return subtree_q(path, field=field) | models.Q(Exists(served))


def search(
    user: Any,
    *,
    place: Place | None = None,
    kind: str = "",
    skill: str = "",
    text: str = "",
    stale: bool = False,
    mine: bool = False,
    retired: bool = False,
) -> models.QuerySet[Resource]:
    """The entries the user reads that match, nearest first (with `distance` annotated when a place is
    given), then by name."""
    qs = resources_for(user).select_related("steward")
    if not retired:
        qs = qs.filter(retired_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if skill:
        qs = qs.filter(tags__contains=f",{skill.strip()},")
    if text:
        words = text.split()[:5]
        for word in words:
            qs = qs.filter(
                models.Q(name__icontains=word) | models.Q(description__icontains=word) | models.Q(tags__icontains=word)
            )
    if stale:
        qs = qs.filter(last_confirmed_at__lt=stale_cutoff())
    if mine:
        qs = qs.filter(steward_id=user.pk)
    if place is None:
        return qs.annotate(distance=Value(None, output_field=models.IntegerField())).order_by("name", "pk")
    near = neighbourhood(place)
    qs = qs.filter(_near(near.area))
    qs = qs.annotate(
        distance=Case(
            When(_near(near.community), then=Value(Distance.SAME_COMMUNITY)),
            When(_near(near.street), then=Value(Distance.SAME_STREET)),
            default=Value(Distance.ELSEWHERE),
            output_field=models.IntegerField(),
        )
    )
    return qs.order_by("distance", "name", "pk")


def place_choices(user: Any) -> models.QuerySet[Place]:
    """Streets and communities to search by: those holding (or above) an entry the user reads, and the
    user's home; names the user already sees on the library's pages."""
    paths = set(resources_for(user).values_list("place__path", flat=True).distinct()[:2000])
    home = home_place(user)
    if home is not None:
        paths.add(home.path)
    prefixes = {p[:end] for p in paths for end in range(10, len(p) + 1, 10)}
    return Place.objects.filter(
        path__in=sorted(prefixes), level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY]
    ).order_by("path")


def week_bookings(user: Any, venue: Resource, monday: datetime.date) -> list[Booking]:
    """The bookings holding a slot in the week starting `monday` (local time), that the user reads."""
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
    end = start + datetime.timedelta(days=7)
    rows = bookings_for(user).filter(resource=venue, state__in=HOLDING_STATES, starts_at__lt=end, ends_at__gt=start)
    return list(rows.select_related("booked_by").order_by("starts_at"))
