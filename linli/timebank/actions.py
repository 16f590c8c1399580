"""Writes to the time bank. Each action checks its predicate, runs in one transaction and posts one transfer
through linli.timebank.ledger (the only writer of balances); an audit event names the transfer, never a
balance. Exchanges are in actions_exchange, the reward shelf in actions_shelf."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_award_points, can_record_service_hours, can_reverse_transfer
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from . import ledger
from .choices import AccountKind, Currency, TransferKind
from .models import Account, Transfer

MAX_SERVICE_MINUTES = 24 * 60  # one record covers at most a day's service
MAX_AWARD_POINTS = 10_000  # one award; a larger figure is a typing mistake, not recognition


def community_of(person: Any) -> Any:
    """The community a person lives in (their account is opened there)."""
    return person.place.ancestor_at("community")


def person_account(person: Any, currency: str = Currency.MINUTES, *, community: Any = None) -> Account:
    account, _created = Account.objects.get_or_create(
        kind=AccountKind.PERSON, person=person, currency=currency, defaults={"community": community}
    )
    return account


def community_account(community: Any, currency: str = Currency.MINUTES, kind: str = AccountKind.COMMUNITY) -> Account:
    account, _created = Account.objects.get_or_create(kind=kind, community=community, currency=currency)
    return account


def _memo(memo: str) -> str:
    memo = (memo or "").strip()
    check_plain_text(memo)
    return memo[:200]  # a caller's long title (an activity's) is cut, not refused: the memo is a note


@transaction.atomic
def credit_service_hours(
    actor: Any, *, community: Any, person: Any, minutes: int, memo: str = "", ref: str = "", at: Any = None
) -> Transfer:
    """The community recognises `minutes` of a person's service: community → person. One credit per `ref`
    (an attendance, a post's shift): a second call for the same source is refused. `actor` None is the
    system (a task crediting confirmed check-outs)."""
    if actor is not None and not can_record_service_hours(actor, community):
        raise PermissionDenied(_("You cannot record service hours for this community"))
    if type(minutes) is not int or minutes <= 0 or minutes > MAX_SERVICE_MINUTES:
        raise ValidationError(_("Service time must be between 1 minute and 24 hours"))
    memo = _memo(memo)
    # The duplicate check runs under the chain lock: two credits for one attendance cannot both pass it.
    ledger.lock_chain()
    if ref and Transfer.objects.filter(kind=TransferKind.SERVICE, ref=ref, reversed_by__isnull=True).exists():
        raise ValidationError(_("These hours have already been recorded"))
    source = community_account(community)
    target = person_account(person, community=community)
    transfer = ledger.post(
        TransferKind.SERVICE, [(source, -minutes), (target, minutes)], actor=actor, memo=memo, ref=ref, at=at
    )
    audit.record(AuditAction.LEDGER_TRANSFER, actor=actor, target=transfer, data={"kind": transfer.kind, "ref": ref})
    return transfer


@transaction.atomic
def award_points(actor: Any, *, community: Any, person: Any, points: int, memo: str = "", ref: str = "") -> Transfer:
    """Recognition (积分): the community's points account pays the person's."""
    if not can_award_points(actor, community):
        raise PermissionDenied(_("You cannot award points for this community"))
    if type(points) is not int or points <= 0 or points > MAX_AWARD_POINTS:
        raise ValidationError(_("Points must be between 1 and %(max)s") % {"max": MAX_AWARD_POINTS})
    memo = _memo(memo)
    source = community_account(community, Currency.POINTS)
    target = person_account(person, Currency.POINTS, community=community)
    transfer = ledger.post(
        TransferKind.AWARD, [(source, -points), (target, points)], actor=actor, memo=memo, ref=ref[:64]
    )
    audit.record(AuditAction.LEDGER_TRANSFER, actor=actor, target=transfer, data={"kind": transfer.kind, "ref": ref})
    return transfer


def reverse_legs(actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """The reversal itself, for callers that already hold the right (cancelling a redemption): every leg
    negated, linked by `reverses`, refused if already reversed or if it would overdraw an account."""
    ledger.lock_chain()
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.kind == TransferKind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed: record the transfer again instead"))
    if Transfer.objects.filter(reverses=transfer).exists():
        raise ValidationError(_("This transfer has already been reversed"))
    legs = [(e.account, -e.amount) for e in transfer.entries.select_related("account")]
    try:
        reversal = ledger.post(
            TransferKind.REVERSAL,
            legs,
            actor=actor,
            memo=reason,
            ref=f"timebank.transfer:{transfer.pk}",
            reverses=transfer,
        )
    except ledger.Overdrawn as exc:
        raise ValidationError(
            _(
                "The reversal is refused: it would take %(amount)s back from an account that holds only "
                "%(balance)s, and an account may not go below zero (the time or points have been spent)."
            )
            % {"amount": -exc.change, "balance": exc.account.balance}
        ) from exc
    audit.record(
        AuditAction.LEDGER_REVERSED,
        actor=actor,
        target=reversal,
        data={"reverses": transfer.pk, "kind": transfer.kind, "reason": reason},
    )
    return reversal


@transaction.atomic
def reverse_transfer(actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """Undo a mistaken transfer with a new one, never by editing it. A redemption is undone by cancelling it
    (actions_shelf.cancel_redemption), which also puts the reward back on the shelf."""
    if not can_reverse_transfer(actor, transfer):
        raise PermissionDenied(_("You cannot reverse this transfer"))
    reason = _memo(reason)
    if not reason:
        raise ValidationError(_("Say why the transfer is reversed"))
    if transfer.kind == TransferKind.REDEMPTION:
        raise ValidationError(_("Cancel the redemption instead: that also puts the reward back on the shelf"))
    return reverse_legs(actor, transfer, reason)
