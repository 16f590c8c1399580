"""The reward shelf (积分兑换): a community lists rewards with a points price and a stock; a resident (or the
staff for them) redeems points for one, which moves the points to the community's reward-shelf account and
takes the stock down under the reward's row lock; cancelling reverses the transfer and puts the stock back."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_cancel_redemption, can_manage_rewards, can_redeem
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_name

from . import ledger
from .actions import _memo, community_account, community_of, person_account, reverse_legs
from .choices import AccountKind, Currency, RedemptionState, TransferKind
from .models import Redemption, Reward

MAX_QUANTITY = 20
MAX_PRICE = 100_000
MAX_STOCK = 100_000


def _bounded(value: Any, low: int, high: int, message: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise ValidationError(message)
    return value


@transaction.atomic
def save_reward(
    actor: Any, *, community: Any, name: str, price: int, stock: int, active: bool = True, reward: Reward | None = None
) -> Reward:
    """Put a reward on the shelf, or change one (its price applies to later redemptions only)."""
    if not can_manage_rewards(actor, community if reward is None else reward.community):
        raise PermissionDenied(_("You cannot manage this community's reward shelf"))
    name = check_name(name)[:64]
    price = _bounded(price, 1, MAX_PRICE, _("A price is between 1 and %(max)s points") % {"max": MAX_PRICE})
    stock = _bounded(stock, 0, MAX_STOCK, _("Stock is between 0 and %(max)s") % {"max": MAX_STOCK})
    if reward is None:
        reward = Reward.objects.create(community=community, name=name, price=price, stock=stock, active=active)
    else:
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        reward.name, reward.price, reward.stock, reward.active = name, price, stock, active
        reward.save(update_fields=["name", "price", "stock", "active"])
    audit.record(
        AuditAction.LEDGER_TRANSFER, actor=actor, target=reward, data={"price": price, "stock": stock, "active": active}
    )
    return reward


@transaction.atomic
def redeem(actor: Any, *, person: Any, reward: Reward, quantity: int = 1) -> Redemption:
    if not can_redeem(actor, person, reward):
        raise PermissionDenied(_("You cannot redeem points for this person"))
    quantity = _bounded(quantity, 1, MAX_QUANTITY, _("Redeem between 1 and %(max)s at a time") % {"max": MAX_QUANTITY})
    # The stock is decided under the reward's lock: two residents taking the last one cannot both have it.
    reward = Reward.objects.select_for_update().select_related("community").get(pk=reward.pk)
    if not reward.active:
        raise ValidationError(_("This reward is no longer on the shelf"))
    if reward.stock < quantity:
        raise ValidationError(_("Out of stock: only %(stock)s left") % {"stock": reward.stock})
    points = reward.price * quantity
    redemption = Redemption.objects.create(
        reward=reward, person=person, quantity=quantity, points=points, created_by=actor
    )
    paying = person_account(person, Currency.POINTS, community=community_of(person))
    shelf = community_account(reward.community, Currency.POINTS, AccountKind.REWARDS)
    try:
        transfer = ledger.post(
            TransferKind.REDEMPTION,
            [(paying, -points), (shelf, points)],
            actor=actor,
            memo=reward.name,
            ref=f"timebank.redemption:{redemption.pk}",
        )
    except ledger.Overdrawn as exc:
        raise ValidationError(
            _("Not enough points: %(needed)s needed, %(held)s held") % {"needed": points, "held": exc.account.balance}
        ) from exc
    reward.stock -= quantity
    reward.save(update_fields=["stock"])
    redemption.transfer = transfer
    redemption.save(update_fields=["transfer"])
    audit.record(AuditAction.LEDGER_TRANSFER, actor=actor, target=transfer, data={"kind": transfer.kind})
    return redemption


@transaction.atomic
def cancel_redemption(actor: Any, redemption: Redemption, reason: str) -> Redemption:
    """The reward was not handed over (or came back): the points return and the stock goes back up."""
    redemption = Redemption.objects.select_for_update().select_related("reward__community").get(pk=redemption.pk)
    if not can_cancel_redemption(actor, redemption):
        raise PermissionDenied(_("You cannot cancel this redemption"))
    if redemption.state != RedemptionState.REDEEMED or redemption.transfer_id is None:
        raise ValidationError(_("This redemption has already been cancelled"))
    reason = _memo(reason)
    if not reason:
        raise ValidationError(_("Say why the redemption is cancelled"))
    # The reward before the chain, as redeem does: one lock order, no deadlock between the two.
    reward = Reward.objects.select_for_update().get(pk=redemption.reward_id)
    reverse_legs(actor, redemption.transfer, reason)  # type: ignore[arg-type]
    reward.stock += redemption.quantity
    reward.save(update_fields=["stock"])
    redemption.state = RedemptionState.CANCELLED
    redemption.save(update_fields=["state"])
    return redemption
