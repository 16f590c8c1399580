"""Reading the time bank: every selector starts from `restrict` (linli.accounts.scopes), so a page shows only
what the viewer's scope reaches."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from linli.people.linking import person_for
from linli.people.models import Person
from linli.places.models import subtree_q

from .actions import community_of
from .choices import ExchangeSide, ExchangeState
from .models import Account, Entry, Exchange, Redemption, Reward


def own_person(user: Any) -> Person | None:
    """The registry record behind the user's verified phone (linli.people.linking's rule)."""
    pk = person_for(getattr(user, "phone_digest", None))
    return Person.objects.select_related("place").filter(pk=pk).first() if pk else None


def balances(user: Any, person: Person) -> dict[str, int]:
    rows = Account.objects.restrict(user).filter(kind="person", person=person)
    return dict(rows.values_list("currency", "balance"))


def movements(user: Any, person: Person, limit: int = 30) -> list[Entry]:
    """The person's latest entries with their transfers: one query however many."""
    rows = Entry.objects.restrict(user).filter(account__kind="person", account__person=person)
    return list(rows.select_related("transfer", "account").order_by("-transfer__created_at", "-pk")[:limit])


def waiting_for(user: Any, person: Person) -> QuerySet[Exchange]:
    """Exchanges the other side proposed that this person is to confirm or decline."""
    mine = Q(giver=person, proposed_by=ExchangeSide.RECEIVER) | Q(receiver=person, proposed_by=ExchangeSide.GIVER)
    return (
        Exchange.objects.restrict(user)
        .filter(mine, state=ExchangeState.PROPOSED)
        .select_related("giver", "receiver")
        .order_by("created_at")
    )


def proposed_by_me(user: Any, person: Person) -> QuerySet[Exchange]:
    mine = Q(giver=person, proposed_by=ExchangeSide.GIVER) | Q(receiver=person, proposed_by=ExchangeSide.RECEIVER)
    return (
        Exchange.objects.restrict(user).filter(mine, state=ExchangeState.PROPOSED).select_related("giver", "receiver")
    )


def shelf(user: Any, community: Any) -> QuerySet[Reward]:
    return Reward.objects.restrict(user).filter(community=community, active=True).order_by("price", "pk")


def home_shelf(user: Any, person: Person) -> QuerySet[Reward]:
    community = community_of(person)
    return shelf(user, community) if community else Reward.objects.none()


def community_entries(user: Any, community: Any) -> QuerySet[Entry]:
    """Every entry on the community's own accounts and on the accounts of the people who live there."""
    here = Q(account__community=community) & ~Q(account__kind="person")
    residents = Q(account__kind="person") & subtree_q(community.path, field="account__person__place__path")
    return (
        Entry.objects.restrict(user)
        .filter(here | residents)
        .select_related("transfer", "account__person", "transfer__reversed_by")
        .order_by("-transfer__created_at", "-pk")
    )


def community_rewards(user: Any, community: Any) -> QuerySet[Reward]:
    return Reward.objects.restrict(user).filter(community=community).order_by("-active", "price", "pk")


def community_redemptions(user: Any, community: Any) -> QuerySet[Redemption]:
    return (
        Redemption.objects.restrict(user)
        .filter(reward__community=community)
        .select_related("reward", "person")
        .order_by("-created_at", "-pk")
    )


def community_people(user: Any, community: Any) -> QuerySet[Person]:
    return Person.objects.restrict(user).current().filter(subtree_q(community.path, field="place__path"))
