"""The data-scope spec for the time bank (DESIGN §1 "sees", §9), over the fixture world's ledger
(linli/tests/matrix_timebank.py).

Written from the rules, not from linli.timebank.scoping, deciding in Python over rows read once:
- a person's account, its entries and the transfers that touch it are read by the person (a viewer holding a
  grant whose verified phone is the one on the registry record) and by the place roles (grid worker,
  community staff, street dispatcher, district command) under whose places the person lives;
- a community's own accounts (its hours, its points, its reward shelf) by the place roles above it;
- a transfer is read by whoever reads one of its legs' accounts (a resident sees the other side of their
  exchange, masked on the pages);
- an exchange by its two residents and the place roles above its community; a redemption by its resident and
  the place roles above the shelf's community or where the resident lives;
- rewards are a price list: every viewer with a grant in force reads them; the community workers and
  secretaries of the shelf's community (and district command above it) change them;
- nobody changes ledger rows, exchanges or redemptions through a scope (the actions do, under predicates);
  the chain head is the platform admin's to read;
- platform admins read everything; exporting is reading; "pick" is left open (no picker lists these).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.timebank.models import Account, Entry, Exchange, LedgerHead, Redemption, Reward, Transfer

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}

TIMEBANK_MODELS: dict[str, type[Any]] = {
    "timebank.account": Account,
    "timebank.entry": Entry,
    "timebank.transfer": Transfer,
    "timebank.ledgerhead": LedgerHead,
    "timebank.exchange": Exchange,
    "timebank.reward": Reward,
    "timebank.redemption": Redemption,
}


class TimebankFacts:
    """Where each row lives: the places it hangs under and the phone digests of the people it belongs to."""

    def __init__(self) -> None:
        # account pk → (places it lies under, digests of its person)
        self.accounts: dict[int, tuple[list[str], set[str]]] = {}
        for pk, community, place, digest in Account.objects.values_list(
            "pk", "community__path", "person__place__path", "person__phone_digest"
        ):
            if place:  # a person's account goes with the person, wherever it was opened
                self.accounts[pk] = ([place], {digest} if digest else set())
            else:
                self.accounts[pk] = ([community] if community else [], set())
        self.entries: dict[int, int] = dict(Entry.objects.values_list("pk", "account_id"))
        self.transfers: dict[int, set[int]] = {pk: set() for pk in Transfer.objects.values_list("pk", flat=True)}
        for transfer, account in Entry.objects.values_list("transfer_id", "account_id"):
            self.transfers[transfer].add(account)
        self.heads = set(LedgerHead.objects.values_list("pk", flat=True))
        self.exchanges = {
            pk: ([community], {d for d in (g, r) if d})
            for pk, community, g, r in Exchange.objects.values_list(
                "pk", "community__path", "giver__phone_digest", "receiver__phone_digest"
            )
        }
        self.redemptions = {
            pk: ([community, place], {digest} if digest else set())
            for pk, community, place, digest in Redemption.objects.values_list(
                "pk", "reward__community__path", "person__place__path", "person__phone_digest"
            )
        }
        self.rewards: dict[int, str] = dict(Reward.objects.values_list("pk", "community__path"))


def _reached(where: tuple[list[str], set[str]], paths: list[str], digest: str | None) -> bool:
    places, digests = where
    return any(p.startswith(q) for p in places for q in paths) or bool(digest and digest in digests)


def timebank_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: TimebankFacts = snap.timebank_facts
        admin = any(h.role == Role.PLATFORM_ADMIN for h in hats)
        if label == "timebank.reward":
            rows = facts.rewards
            if action == "pick":
                return set(), set(rows)
            if admin:
                return set(rows), set()
            if action == "change":
                keep = [h.path for h in hats if h.role in KEEPERS and h.path]
                return {pk for pk, path in rows.items() if any(path.startswith(q) for q in keep)}, set()
            return (set(rows) if hats else set()), set()
        everything = _all(facts, label)
        if action == "pick":
            return set(), everything
        if action == "change" or not hats:
            return set(), set()
        if admin:
            return everything, set()
        if label == "timebank.ledgerhead":
            return set(), set()
        paths = [h.path for h in hats if h.role in READERS and h.path]
        digest = user.phone_digest
        accounts = {pk for pk, where in facts.accounts.items() if _reached(where, paths, digest)}
        if label == "timebank.account":
            return accounts, set()
        if label == "timebank.entry":
            return {pk for pk, account in facts.entries.items() if account in accounts}, set()
        if label == "timebank.transfer":
            return {pk for pk, legs in facts.transfers.items() if legs & accounts}, set()
        located = facts.exchanges if label == "timebank.exchange" else facts.redemptions
        return {pk for pk, where in located.items() if _reached(where, paths, digest)}, set()

    return rule


def _all(facts: TimebankFacts, label: str) -> set[int]:
    tables: dict[str, Any] = {
        "timebank.account": facts.accounts,
        "timebank.entry": facts.entries,
        "timebank.transfer": facts.transfers,
        "timebank.ledgerhead": facts.heads,
        "timebank.exchange": facts.exchanges,
        "timebank.redemption": facts.redemptions,
    }
    return set(tables[label])
