"""Posting to the ledger and proving it: the only code that writes Account.balance, Transfer and Entry.

`post` is called inside the caller's transaction (an action's). It locks the chain head, then the accounts
in primary-key order (one order for every caller, so two transfers never deadlock), refuses a transfer that
does not sum to zero or that would overdraw a person's account, writes the transfer and its legs, chains the
hash and moves the running balances. `problems()` recomputes all of it from the rows.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import AccountKind, TransferKind
from .models import Account, Entry, LedgerHead, Transfer

GENESIS = "0" * 64


def transfer_digest(
    previous: str, *, kind: str, ref: str, reverses: int | None, at: datetime, legs: Sequence[tuple[int, int]]
) -> str:
    """sha256 over the predecessor's hash and the transfer's content, legs sorted by account id."""
    body = {
        "previous": previous,
        "kind": kind,
        "ref": ref,
        "reverses": reverses,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "legs": sorted([int(a), int(n)] for a, n in legs),
    }
    return hashlib.sha256(json.dumps(body, separators=(",", ":"), sort_keys=True).encode()).hexdigest()


class Overdrawn(ValidationError):
    """A person's account (or a reward shelf) would go below zero: callers may say it in their own words."""

    def __init__(self, message: str, *, account: Account, change: int):
        super().__init__(message)
        self.account, self.change = account, change


def lock_chain() -> LedgerHead:
    """Lock the chain head for the rest of the caller's transaction: a check made after it (one credit per
    source, a transfer not yet reversed) cannot race another writer's post."""
    return _head()


def _head() -> LedgerHead:
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def post(
    kind: str,
    legs: Sequence[tuple[Account, int]],
    *,
    actor: Any = None,
    memo: str = "",
    ref: str = "",
    reverses: Transfer | None = None,
    at: datetime | None = None,
) -> Transfer:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.post runs inside the calling action's transaction")
    if kind not in TransferKind.values:
        raise ValidationError(f"unknown transfer kind {kind!r}")
    if any(type(amount) is not int for _, amount in legs):
        raise ValidationError(_("Amounts are whole numbers of minutes or points"))
    if any(amount == 0 for _, amount in legs):
        raise ValidationError(_("Every leg of a transfer moves a non-zero amount"))
    if sum(amount for _, amount in legs) != 0:
        raise ValidationError(_("A transfer's legs must sum to zero"))
    if len({account.currency for account, _ in legs}) != 1:
        raise ValidationError(_("A transfer moves one unit: hours and points are not exchanged for each other"))
    by_id: dict[int, int] = defaultdict(int)
    for account, amount in legs:
        by_id[account.pk] += amount
    # Legs on one account are netted into one entry: what remains must still move something between two
    # accounts (an entry of 0 would break the check constraint, a one-account transfer moves nothing).
    by_id = {pk: n for pk, n in by_id.items() if n != 0}
    if len(by_id) < 2:
        raise ValidationError(_("A transfer moves an amount between at least two accounts"))
    if reverses is not None and reverses.pk is None:
        raise ValidationError("a reversal names a saved transfer")
    head = _head()
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=sorted(by_id)).order_by("pk")}
    for pk, change in sorted(by_id.items()):
        account = locked[pk]
        if account.kind != AccountKind.COMMUNITY and account.balance + change < 0:
            raise Overdrawn(
                _("Not enough on the account for this transfer (balance %(balance)s, needed %(needed)s)")
                % {"balance": account.balance, "needed": -change},
                account=account,
                change=change,
            )
    at = at or timezone.now()
    digest = transfer_digest(
        head.last_hash, kind=kind, ref=ref, reverses=reverses.pk if reverses else None, at=at, legs=list(by_id.items())
    )
    transfer = Transfer.objects.create(
        kind=kind,
        memo=memo[:200],
        ref=ref,
        reverses=reverses,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=at,
        previous_hash=head.last_hash,
        hash=digest,
    )
    Entry.objects.bulk_create([Entry(transfer=transfer, account_id=pk, amount=n) for pk, n in sorted(by_id.items())])
    for pk, change in by_id.items():
        account = locked[pk]
        account.balance += change
        account.save(update_fields=["balance"])
    head.last_hash, head.count = digest, head.count + 1
    head.save(update_fields=["last_hash", "count"])
    return transfer


def problems() -> Iterator[str]:
    """Every way the ledger disagrees with itself, first found first: a transfer whose legs do not sum to zero,
    a broken hash chain (an altered or removed row), an account whose balance is not its movements."""
    previous = GENESIS
    legs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for transfer_id, account_id, amount in Entry.objects.order_by("transfer_id", "pk").values_list(
        "transfer_id", "account_id", "amount"
    ):
        legs[transfer_id].append((account_id, amount))
    count, last_pk = 0, 0
    for t in Transfer.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        mine = legs.pop(t.pk, [])
        total = sum(n for _, n in mine)
        if total != 0:
            yield f"transfer #{t.pk}: its legs sum to {total}, not zero"
        if t.previous_hash != previous:
            after = f"after #{last_pk}" if last_pk else "at the start"
            yield f"transfer #{t.pk}: the chain is broken before it, {after} (a transfer was removed or altered)"
        expected = transfer_digest(
            t.previous_hash, kind=t.kind, ref=t.ref, reverses=t.reverses_id, at=t.created_at, legs=mine
        )
        if expected != t.hash:
            yield f"transfer #{t.pk}: its content does not match its hash (altered)"
        previous, last_pk = t.hash, t.pk
    for transfer_id in sorted(legs):
        yield f"entry of transfer #{transfer_id}: its transfer is missing"
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != previous or head.count != count):
        yield "the chain's head does not match the last transfer (a transfer was removed or added by hand)"
    moved = dict(Entry.objects.values("account_id").annotate(total=Sum("amount")).values_list("account_id", "total"))
    for account in Account.objects.order_by("pk").only("pk", "balance"):
        if account.balance != (moved.get(account.pk) or 0):
            yield f"account #{account.pk}: balance {account.balance} but its entries sum to {moved.get(account.pk) or 0}"
