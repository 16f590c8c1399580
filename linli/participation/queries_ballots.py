"""Scoped reads for casting and turnout: every query starts from `restrict` (linli.accounts.scopes)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from linli.accounts.predicates import can_cast_ballot
from linli.core.masking import mask_name

from .choices import VoteState
from .models_votes import PaperEntry, RollEntry, Vote


def votes_for(user: Any) -> models.QuerySet[Vote]:
    return Vote.objects.restrict(user, "view")


def vote_for(user: Any, pk: int) -> Vote | None:
    return votes_for(user).select_related("place").filter(pk=pk).first()


def _mine(user: Any) -> models.QuerySet[RollEntry]:
    digest = getattr(user, "phone_digest", None)
    if not digest:
        return RollEntry.objects.none()
    named = models.Q(owners__person__phone_digest=digest) | models.Q(proxy_person__phone_digest=digest)
    entries = RollEntry.objects.restrict(user, "view").filter(named).distinct()
    return entries.select_related("vote", "caster", "proxy_person")


def castable_entries(user: Any, vote: Vote | int) -> list[RollEntry]:
    """The voters on this vote's roll the user may cast for online (usually one: themselves). Read through
    the roll, not the vote: a registered proxy may live outside the estate whose votes they would read."""
    return [e for e in _mine(user).filter(vote=vote).order_by("pk") if can_cast_ballot(user, e)]


@dataclass
class MyVote:
    vote: Vote
    entries: list[RollEntry]

    @property
    def open_now(self) -> bool:
        now = timezone.now()
        return self.vote.state == VoteState.OPEN and self.vote.opens_at <= now < self.vote.closes_at


def my_votes(user: Any) -> list[MyVote]:
    """Open votes where the user is on the roll (or casts for someone on it), and closed ones with results."""
    rows: dict[int, MyVote] = {}
    entries = _mine(user).filter(vote__state__in=[VoteState.OPEN, VoteState.CLOSED]).order_by("-vote__opens_at", "pk")
    for entry in entries:
        # An owner whose caster or proxy casts still sees the vote (without a ballot form: `may_cast` is False).
        entry.may_cast = can_cast_ballot(user, entry)  # type: ignore[attr-defined]
        rows.setdefault(entry.vote_id, MyVote(entry.vote, [])).entries.append(entry)
    return list(rows.values())


# --------------------------------------------------------------------------------------------------
# Turnout: who has voted and through which channel, never how


@dataclass(frozen=True)
class TurnoutRow:
    pk: int
    voter: str  # masked
    houses: str
    area: Decimal
    channel: str
    voted_at: Any
    proxy: bool
    pending_paper: int


@dataclass(frozen=True)
class Turnout:
    owners: int
    area: Decimal
    voted_owners: int
    voted_area: Decimal
    rows: list[TurnoutRow]


def roll_for(user: Any, vote: Vote) -> models.QuerySet[RollEntry]:
    return RollEntry.objects.restrict(user, "view").filter(vote=vote)


def turnout(user: Any, vote: Vote, *, only_not_voted: bool = False, search: str = "") -> Turnout:
    """The roll with who has voted: totals over the whole roll, rows filtered. Two queries in all."""
    roll = roll_for(user, vote)
    totals = roll.aggregate(
        n_owners=models.Count("pk"),
        n_area=models.Sum("area"),
        n_voted_owners=models.Count("pk", filter=~models.Q(voted_channel="")),
        n_voted_area=models.Sum("area", filter=~models.Q(voted_channel="")),
    )
    rows = roll
    if only_not_voted:
        rows = rows.filter(voted_channel="")
    if search:
        rows = rows.filter(models.Q(label__icontains=search) | models.Q(houses__icontains=search))
    pending = PaperEntry.objects.filter(entry=models.OuterRef("pk")).values("entry").annotate(n=models.Count("pk"))
    rows = rows.annotate(pending=models.Subquery(pending.values("n")[:1])).order_by("label", "pk")
    shown = [
        TurnoutRow(
            pk=e.pk,
            voter=mask_voter(e.label),
            houses="、".join(str(h) for h in e.houses or []),
            area=e.area,
            channel=e.get_voted_channel_display() if e.voted_channel else "",
            voted_at=e.voted_at,
            proxy=bool(e.proxy_name),
            pending_paper=e.pending or 0,  # type: ignore[attr-defined]
        )
        for e in rows.only("pk", "label", "houses", "area", "voted_channel", "voted_at", "proxy_name")
    ]
    return Turnout(
        owners=totals["n_owners"] or 0,
        area=totals["n_area"] or Decimal(0),
        voted_owners=totals["n_voted_owners"] or 0,
        voted_area=totals["n_voted_area"] or Decimal(0),
        rows=shown,
    )


def mask_voter(label: str) -> str:
    """A roll label names one owner, several co-owners (joined by 、) or an organisation: each name masked."""
    return "、".join(mask_name(part.strip()) for part in (label or "").split("、") if part.strip())


def entry_for_staff(user: Any, vote: Vote, pk: Any) -> RollEntry | None:
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return roll_for(user, vote).filter(pk=key).first()
