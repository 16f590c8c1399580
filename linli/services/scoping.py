"""Scope rules for the service catalogue, registered with linli.accounts.scopes in apps.py.

- service kinds are a catalogue like the responsibility list (catalogue_rule): every grant holder reads
  them, district command changes them;
- offers are read by every grant holder too (the catalogue is public to the district's logged-in users:
  "what services exist near me");
- an offer is changed by district command, or by community staff when every place it serves lies under
  their community: a street-wide offer is the district's to keep, not one community's.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.choices import Role
from linli.accounts.scopes import Scope, under_any

OFFER_KEEPERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY})


def offer_change_condition(scope: Scope) -> models.Q | None:
    from .models import ServiceOffer

    if scope.has({Role.DISTRICT_COMMAND}):
        return models.Q()
    inside = under_any(scope.paths(OFFER_KEEPERS), "place__path")
    if inside is None:
        return None
    through = ServiceOffer.places.through.objects.filter(serviceoffer_id=models.OuterRef("pk"))
    return models.Q(models.Exists(through.filter(inside))) & ~models.Q(models.Exists(through.exclude(inside)))


def offers_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    if scope.everything:
        return qs
    if action == "change":
        condition = offer_change_condition(scope)
        return qs.none() if condition is None else qs.filter(condition)
    return qs
