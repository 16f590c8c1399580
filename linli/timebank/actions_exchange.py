"""Mutual aid (邻里互助): an hour given is an hour received. One side proposes, the other confirms; only the
confirmation moves time, from the receiver's account to the giver's.

No credit: a resident cannot receive help paid with minutes they do not have (the ledger refuses any person's
account below zero). A community that wants newcomers to ask for help first grants them starter minutes as a
service credit (actions.credit_service_hours with a memo saying so). The rule is checked when the exchange is
proposed, so that nobody confirms an exchange that cannot be paid, and again, authoritatively, on posting.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import (
    can_answer_exchange,
    can_propose_exchange,
    can_withdraw_exchange,
    is_own_person,
)
from linli.core import audit
from linli.core.choices import AuditAction

from . import ledger
from .actions import _memo, community_of, person_account
from .choices import ExchangeSide, ExchangeState, TransferKind
from .models import Account, Exchange

MAX_EXCHANGE_MINUTES = 8 * 60  # one exchange is one piece of help, at most a working day


def _short_of(person: Any, minutes: int) -> bool:
    held = Account.objects.filter(kind="person", person=person, currency="minutes").values_list("balance", flat=True)
    return (held.first() or 0) < minutes


@transaction.atomic
def record_exchange(actor: Any, *, giver: Any, receiver: Any, minutes: int, memo: str) -> Exchange:
    """Propose an exchange as the giver or the receiver; staff of both residents' communities record one
    already confirmed (help between residents without a phone, confirmed to the staff in person)."""
    if giver.pk == receiver.pk:
        raise ValidationError(_("An exchange is between two different residents"))
    if not can_propose_exchange(actor, giver, receiver):
        raise PermissionDenied(_("You cannot record this exchange"))
    if type(minutes) is not int or minutes <= 0 or minutes > MAX_EXCHANGE_MINUTES:
        raise ValidationError(_("An exchange is between 1 minute and 8 hours"))
    memo = _memo(memo)
    if not memo:
        raise ValidationError(_("Say what was done"))
    if _short_of(receiver, minutes):
        raise ValidationError(
            _("The one helped has too few minutes in the time bank to pay for this help (no credit is given)")
        )
    side: str
    if is_own_person(actor, giver):
        side = ExchangeSide.GIVER
    elif is_own_person(actor, receiver):
        side = ExchangeSide.RECEIVER
    else:
        side = ""
    community = community_of(receiver) or community_of(giver)
    exchange = Exchange.objects.create(
        community=community,
        giver=giver,
        receiver=receiver,
        minutes=minutes,
        memo=memo,
        proposed_by=side or ExchangeSide.RECEIVER,
        created_by=actor,
    )
    if not side:  # recorded by staff: both sides told them, so it is confirmed at once
        _post(actor, exchange)
    else:
        audit.record(AuditAction.LEDGER_TRANSFER, actor=actor, target=exchange, data={"state": exchange.state})
    return exchange


def _post(actor: Any, exchange: Exchange) -> None:
    paying = person_account(exchange.receiver, community=community_of(exchange.receiver))
    paid = person_account(exchange.giver, community=community_of(exchange.giver))
    try:
        transfer = ledger.post(
            TransferKind.MUTUAL_AID,
            [(paying, -exchange.minutes), (paid, exchange.minutes)],
            actor=actor,
            memo=exchange.memo,
            ref=f"timebank.exchange:{exchange.pk}",
        )
    except ledger.Overdrawn as exc:
        raise ValidationError(
            _("The one helped has too few minutes in the time bank to pay for this help (no credit is given)")
        ) from exc
    exchange.state, exchange.transfer, exchange.decided_at = ExchangeState.CONFIRMED, transfer, timezone.now()
    exchange.save(update_fields=["state", "transfer", "decided_at"])
    audit.record(
        AuditAction.LEDGER_TRANSFER, actor=actor, target=transfer, data={"kind": transfer.kind, "ref": transfer.ref}
    )


def _lock(exchange: Exchange) -> Exchange:
    locked = Exchange.objects.select_for_update().select_related("giver", "receiver", "community").get(pk=exchange.pk)
    if locked.state != ExchangeState.PROPOSED:
        raise ValidationError(_("This exchange has already been answered"))
    return locked


@transaction.atomic
def confirm_exchange(actor: Any, exchange: Exchange) -> Exchange:
    """The other side confirms: the time moves now (refused if the one helped has too few minutes)."""
    exchange = _lock(exchange)
    if not can_answer_exchange(actor, exchange):
        raise PermissionDenied(_("Only the other side of this exchange can confirm it"))
    _post(actor, exchange)
    return exchange


@transaction.atomic
def decline_exchange(actor: Any, exchange: Exchange) -> Exchange:
    """The other side declines, or the proposer (or the community's staff) withdraws it: nothing moves."""
    exchange = _lock(exchange)
    if not (can_answer_exchange(actor, exchange) or can_withdraw_exchange(actor, exchange)):
        raise PermissionDenied(_("You cannot decline this exchange"))
    exchange.state, exchange.decided_at = ExchangeState.DECLINED, timezone.now()
    exchange.save(update_fields=["state", "decided_at"])
    audit.record(AuditAction.LEDGER_TRANSFER, actor=actor, target=exchange, data={"state": exchange.state})
    return exchange
