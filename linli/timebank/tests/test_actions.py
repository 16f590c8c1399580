"""Each time bank action and its refusals: a refused action changes nothing (no transfer, no balance)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.core.models import AuditEvent
from linli.timebank import ledger
from linli.timebank.actions import award_points, credit_service_hours, reverse_transfer
from linli.timebank.actions_exchange import confirm_exchange, decline_exchange, record_exchange
from linli.timebank.actions_shelf import cancel_redemption, redeem, save_reward
from linli.timebank.choices import ExchangeState, RedemptionState, TransferKind
from linli.timebank.models import Account, Transfer

pytestmark = pytest.mark.django_db


def balance(person: Any, currency: str = "minutes") -> int:
    return (
        Account.objects.filter(kind="person", person=person, currency=currency)
        .values_list("balance", flat=True)
        .first()
        or 0
    )


def unchanged(fn: Any, exc: type[Exception] = ValidationError) -> None:
    before = (Transfer.objects.count(), list(Account.objects.values_list("pk", "balance")))
    with pytest.raises(exc):
        fn()
    assert (Transfer.objects.count(), list(Account.objects.values_list("pk", "balance"))) == before
    assert not list(ledger.problems())


def test_service_credit_and_its_refusals(bank: Any) -> None:
    t = credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=90, ref="att:1")
    assert balance(bank.ann) == 90 and t.kind == TransferKind.SERVICE
    unchanged(lambda: credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=90, ref="att:1"))
    unchanged(lambda: credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=0))
    unchanged(lambda: credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=24 * 60 + 1))
    unchanged(
        lambda: credit_service_hours(bank.worker_b, community=bank.a, person=bank.ann, minutes=5), PermissionDenied
    )
    unchanged(
        lambda: credit_service_hours(bank.ann_user, community=bank.a, person=bank.ann, minutes=5), PermissionDenied
    )
    assert AuditEvent.objects.filter(action="ledger.transfer", target_id=str(t.pk)).exists()


def test_reversal_negates_every_leg_once(bank: Any) -> None:
    t = credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=60, ref="att:2")
    r = reverse_transfer(bank.worker, t, "录错了")
    assert r.reverses_id == t.pk and balance(bank.ann) == 0
    assert sorted(r.entries.values_list("amount", flat=True)) == sorted(
        -n for n in t.entries.values_list("amount", flat=True)
    )
    unchanged(lambda: reverse_transfer(bank.worker, t, "again"))
    unchanged(lambda: reverse_transfer(bank.worker, r, "undo the undo"))
    unchanged(lambda: reverse_transfer(bank.worker, t, ""))
    assert AuditEvent.objects.filter(action="ledger.reversed", target_id=str(r.pk)).exists()
    # Reversed, the same attendance may be credited again.
    credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=45, ref="att:2")


def test_reversal_refused_when_it_would_overdraw(bank: Any) -> None:
    t = credit_service_hours(bank.worker, community=bank.a, person=bank.ann, minutes=60)
    record_exchange(bank.worker, giver=bank.bob, receiver=bank.ann, minutes=50, memo="买菜")
    with pytest.raises(ValidationError) as refused:
        reverse_transfer(bank.worker, t, "录错了")
    assert "may not go below zero" in str(refused.value)
    unchanged(lambda: reverse_transfer(bank.worker, t, "录错了"))
    unchanged(lambda: reverse_transfer(bank.worker_b, t, "录错了"), PermissionDenied)


def test_exchange_proposed_then_confirmed_by_the_other_side(bank: Any) -> None:
    credit_service_hours(bank.worker, community=bank.a, person=bank.bob, minutes=60)
    x = record_exchange(bank.ann_user, giver=bank.ann, receiver=bank.bob, minutes=30, memo="修水管")
    assert x.state == ExchangeState.PROPOSED and balance(bank.ann) == 0
    unchanged(lambda: confirm_exchange(bank.ann_user, x), PermissionDenied)  # the proposer cannot confirm
    confirm_exchange(bank.bob_user, x)
    x.refresh_from_db()
    assert x.state == ExchangeState.CONFIRMED and x.transfer.kind == TransferKind.MUTUAL_AID
    assert (balance(bank.ann), balance(bank.bob)) == (30, 30)
    unchanged(lambda: confirm_exchange(bank.bob_user, x))  # answered once


def test_exchange_without_minutes_is_refused_no_credit(bank: Any) -> None:
    unchanged(lambda: record_exchange(bank.ann_user, giver=bank.ann, receiver=bank.bob, minutes=30, memo="修水管"))
    credit_service_hours(bank.worker, community=bank.a, person=bank.bob, minutes=30)
    x = record_exchange(bank.ann_user, giver=bank.ann, receiver=bank.bob, minutes=30, memo="修水管")
    record_exchange(bank.worker, giver=bank.cat, receiver=bank.bob, minutes=20, memo="陪聊")  # spends it first
    unchanged(lambda: confirm_exchange(bank.bob_user, x))
    assert Transfer.objects.filter(kind=TransferKind.MUTUAL_AID).count() == 1


def test_exchange_declined_or_withdrawn_moves_nothing(bank: Any) -> None:
    credit_service_hours(bank.worker, community=bank.a, person=bank.bob, minutes=60)
    x = record_exchange(bank.bob_user, giver=bank.ann, receiver=bank.bob, minutes=30, memo="修水管")
    decline_exchange(bank.ann_user, x)
    x.refresh_from_db()
    assert x.state == ExchangeState.DECLINED and x.transfer is None and balance(bank.bob) == 60
    y = record_exchange(bank.bob_user, giver=bank.ann, receiver=bank.bob, minutes=30, memo="修水管")
    decline_exchange(bank.bob_user, y)  # withdrawn by its proposer
    unchanged(
        lambda: record_exchange(bank.ann_user, giver=bank.cat, receiver=bank.bob, minutes=5, memo="x"), PermissionDenied
    )
    unchanged(lambda: record_exchange(bank.ann_user, giver=bank.ann, receiver=bank.ann, minutes=5, memo="x"))


def test_points_and_the_reward_shelf(bank: Any) -> None:
    award_points(bank.worker, community=bank.a, person=bank.ann, points=30, memo="文明示范")
    unchanged(lambda: award_points(bank.worker_b, community=bank.a, person=bank.ann, points=30), PermissionDenied)
    unchanged(lambda: award_points(bank.worker, community=bank.a, person=bank.ann, points=0))
    soap = save_reward(bank.worker, community=bank.a, name="洗衣液", price=10, stock=2)
    unchanged(lambda: save_reward(bank.worker_b, community=bank.a, name="x", price=1, stock=1), PermissionDenied)
    r = redeem(bank.ann_user, person=bank.ann, reward=soap, quantity=2)
    soap.refresh_from_db()
    assert (soap.stock, balance(bank.ann, "points"), r.points) == (0, 10, 20)
    unchanged(lambda: redeem(bank.ann_user, person=bank.ann, reward=soap))  # out of stock
    oil = save_reward(bank.worker, community=bank.a, name="食用油", price=50, stock=5)
    with pytest.raises(ValidationError) as short:
        redeem(bank.ann_user, person=bank.ann, reward=oil)
    assert "Not enough points" in str(short.value) or "积分" in str(short.value)
    unchanged(lambda: redeem(bank.ann_user, person=bank.ann, reward=oil))
    unchanged(lambda: redeem(bank.bob_user, person=bank.ann, reward=oil), PermissionDenied)
    unchanged(lambda: reverse_transfer(bank.worker, r.transfer, "退"))  # type: ignore[arg-type]  # a redemption is cancelled instead
    cancel_redemption(bank.worker, r, "没货了")
    soap.refresh_from_db()
    r.refresh_from_db()
    assert (soap.stock, balance(bank.ann, "points"), r.state) == (2, 30, RedemptionState.CANCELLED)
    unchanged(lambda: cancel_redemption(bank.worker, r, "again"))
    save_reward(bank.worker, community=bank.a, name="洗衣液", price=10, stock=2, active=False, reward=soap)
    unchanged(lambda: redeem(bank.ann_user, person=bank.ann, reward=soap))
    assert not list(ledger.problems())


def test_post_refuses_unbalanced_or_self_cancelling_legs(bank: Any) -> None:
    from django.db import transaction

    from linli.timebank.actions import community_account, person_account

    with transaction.atomic():
        c, p = community_account(bank.a), person_account(bank.ann, community=bank.a)
        for legs in ([(c, -5), (p, 4)], [(p, 5), (p, -5)], [(c, 0), (p, 0)], [(c, -5)]):
            with pytest.raises(ValidationError):
                ledger.post(TransferKind.SERVICE, legs)
        with pytest.raises(ValidationError):
            ledger.post("gift", [(c, -5), (p, 5)])
    assert Transfer.objects.count() == 0
