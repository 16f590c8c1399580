"""Scoped reads for the vote pages: every list starts from `restrict` (linli.accounts.scopes)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .models_votes import RollEntry, Vote


def votes_for(user: Any) -> QuerySet[Vote]:
    """The votes the user reads, with their place and question count in the same query (the list page)."""
    return (
        Vote.objects.restrict(user, "view")
        .select_related("place")
        .annotate(question_count=Count("questions"))
        .order_by("-opens_at", "-pk")
    )


def vote_for(user: Any, pk: int) -> Vote | None:
    return Vote.objects.restrict(user, "view").select_related("place").filter(pk=pk).first()


def roll_for(user: Any, vote: Vote) -> QuerySet[RollEntry]:
    return RollEntry.objects.restrict(user, "view").filter(vote=vote).order_by("label", "pk")


def vote_places_for(user: Any) -> QuerySet[Place]:
    """Estates and buildings where the user may run a vote (the create form's choices)."""
    return (
        Place.objects.restrict(user, "change")
        .filter(level__in=[PlaceLevel.ESTATE, PlaceLevel.BUILDING], is_active=True)
        .order_by("path")
    )
