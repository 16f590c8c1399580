"""Matching a service request to the providers that may take it.

A case is a service request when its matter is one of an active ServiceKind's matters (see models). Its
matches are the accepting offers of that kind, by active provider units, serving the case's place or a
place above it (a community or a street). Ranked: nearest place served first (the community before the
street), then the provider's past ratings — the share of its rated cases that residents rated 满意 —
then more rated cases, then name. The assessment's unit figures are per period and per scheme; a plain
share over all rated cases is what "rated like any unit" gives a provider that may be new to the district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from linli.orgs.choices import UnitKind
from linli.places.distance import ancestry as _ancestry
from linli.places.models import SEGMENT_WIDTH

from .models import ServiceKind, ServiceOffer


@dataclass
class Match:
    offer: ServiceOffer
    place_name: str
    steps_away: int
    rated: int
    satisfied: int
    reasons: list[str] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def service_kinds_of(matter: Any) -> QuerySet[ServiceKind]:
    if matter is None:
        return ServiceKind.objects.none()
    return ServiceKind.objects.filter(is_active=True, matters=matter)


def is_service_request(case: Any) -> bool:
    return case.matter_id is not None and service_kinds_of(case.matter).exists()


def offers_of_kinds(kinds: Any, place: Any) -> QuerySet[ServiceOffer]:
    """Accepting offers of these service kinds, by active providers, serving `place` or above it."""
    if place is None:
        return ServiceOffer.objects.none()
    return ServiceOffer.objects.filter(
        accepting=True,
        kind__in=kinds,
        unit__is_active=True,
        unit__kind=UnitKind.SERVICE_PROVIDER,
        places__path__in=_ancestry(place.path),
    ).distinct()


def matching_offers(matter: Any, place: Any) -> QuerySet[ServiceOffer]:
    """Accepting offers of the matter's service kinds, by active providers, serving `place` or above it."""
    if matter is None or place is None:
        return ServiceOffer.objects.none()
    return offers_of_kinds(service_kinds_of(matter), place)


def ratings(unit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """unit id → (rated cases, of which 满意), over the cases each unit led; one query."""
    from linli.cases.choices import Rating
    from linli.cases.models import Case

    rows = (
        Case.objects.filter(lead_unit_id__in=unit_ids)
        .exclude(rating="")
        .values("lead_unit_id")
        .annotate(rated=Count("pk"), satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)))
    )
    return {r["lead_unit_id"]: (r["rated"], r["satisfied"]) for r in rows}


def match_providers(case: Any) -> list[Match]:
    """The providers a service request may go to, best first, each with the reasons shown to the dispatcher."""
    return rank_offers(matching_offers(case.matter, case.place), case.place)


def rank_offers(offers_qs: QuerySet[ServiceOffer], place: Any) -> list[Match]:
    """Offers serving `place` (or above it), nearest place served first, then by past ratings (three queries).
    Shared by service requests and the project matching (linli.projects.matching)."""
    offers = list(offers_qs.select_related("unit", "kind").prefetch_related("places"))
    if not offers:
        return []
    chain = _ancestry(place.path)
    scores = ratings([o.unit_id for o in offers])
    found: list[Match] = []
    for offer in offers:
        served = max((p for p in offer.places.all() if p.path in chain), key=lambda p: len(p.path))
        rated, satisfied = scores.get(offer.unit_id, (0, 0))
        match = Match(offer, served.name, (len(place.path) - len(served.path)) // SEGMENT_WIDTH, rated, satisfied)
        match.reasons.append(_("Serves %(place)s") % {"place": served.name})
        match.reasons.append(_("Accepts %(kind)s") % {"kind": offer.kind.name})
        if rated:
            match.reasons.append(
                _("%(satisfied)d of %(rated)d rated cases satisfied") % {"satisfied": satisfied, "rated": rated}
            )
        else:
            match.reasons.append(_("No ratings yet"))
        found.append(match)
    found.sort(key=lambda m: (m.steps_away, -(m.share or 0.0), -m.rated, m.offer.unit.name, m.offer.pk))
    return found


def may_take(unit: Any, matter: Any, place: Any) -> bool:
    """Whether `unit` has an accepting offer for this service request: the assignee directory's question."""
    return matching_offers(matter, place).filter(unit=unit).exists()


def is_service_matter(matter: Any) -> bool:
    return matter is not None and service_kinds_of(matter).exists()
