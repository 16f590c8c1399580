"""Scoped reads of the service catalogue: every list starts from `restrict`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from linli.accounts.scopes import restrict
from linli.orgs.choices import UnitKind
from linli.orgs.models import Unit
from linli.places.models import Place

from .matching import _ancestry
from .models import ServiceKind, ServiceOffer


def catalogue(user: Any, place: Place | None = None) -> list[ServiceKind]:
    """Active kinds with their offers (provider, places served, price), in a fixed number of queries; near
    `place` when given: only offers serving it or a place above it."""
    offers = restrict(ServiceOffer.objects.all(), user).filter(unit__is_active=True)
    if place is not None:
        offers = offers.filter(places__path__in=_ancestry(place.path)).distinct()
    offers = offers.select_related("unit").prefetch_related(Prefetch("places", queryset=Place.objects.order_by("path")))
    kinds = restrict(ServiceKind.objects.filter(is_active=True), user)
    return list(kinds.prefetch_related(Prefetch("offers", queryset=offers.order_by("unit__name", "pk"))))


def offers_to_edit(user: Any) -> QuerySet[ServiceOffer]:
    return (
        restrict(ServiceOffer.objects.all(), user, "change")
        .select_related("unit", "kind")
        .prefetch_related("places")
        .order_by("kind__code", "unit__name")
    )


def providers() -> QuerySet[Unit]:
    """Active provider units. Their names are catalogue facts shown to every grant holder (the public
    catalogue names them), not a unit's data: the offer form lists them without the unit scope."""
    return Unit.objects.filter(kind=UnitKind.SERVICE_PROVIDER, is_active=True).order_by("name")


def served_places(user: Any) -> QuerySet[Place]:
    from .actions import SERVED_LEVELS

    return restrict(Place.objects.filter(level__in=SERVED_LEVELS), user, "change").order_by("path")


def near_places(user: Any) -> QuerySet[Place]:
    """Streets and communities for the catalogue's "near me" filter: those the user reads (a picker listing
    every place would name the whole city on a page every grant holder opens)."""
    from .actions import SERVED_LEVELS

    return restrict(Place.objects.filter(level__in=SERVED_LEVELS[1:]), user).order_by("path")
