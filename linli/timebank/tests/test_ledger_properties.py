"""Property (issue 20's acceptance): any sequence of time bank operations — service credits, exchanges
proposed, confirmed and declined, awards, rewards, redemptions, reversals, cancellations, refused ones among
them — keeps every transfer at zero sum and every balance equal to its movements (`problems()` stays empty),
and a refused operation changes nothing at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.timebank import ledger
from linli.timebank.actions import award_points, credit_service_hours, reverse_transfer
from linli.timebank.actions_exchange import confirm_exchange, decline_exchange, record_exchange
from linli.timebank.actions_shelf import cancel_redemption, redeem, save_reward
from linli.timebank.models import Account, Entry, Exchange, Redemption, Reward, Transfer

small = st.integers(-2, 200)
index = st.integers(0, 7)
OPERATIONS = st.one_of(
    st.tuples(st.just("credit"), index, st.integers(-5, 1500), st.integers(0, 3)),
    st.tuples(st.just("exchange"), index, index, small, st.booleans()),
    st.tuples(st.just("confirm"), index, index),
    st.tuples(st.just("decline"), index, index),
    st.tuples(st.just("award"), index, small),
    st.tuples(st.just("reward"), st.integers(0, 60), st.integers(0, 3)),
    st.tuples(st.just("redeem"), index, index, st.integers(0, 3)),
    st.tuples(st.just("reverse"), index, index),
    st.tuples(st.just("cancel"), index, index),
)


def snapshot() -> tuple[Any, ...]:
    return (
        list(Transfer.objects.values_list("pk", "hash")),
        list(Entry.objects.values_list("pk", "account_id", "amount")),
        list(Account.objects.values_list("pk", "balance")),
        list(Reward.objects.values_list("pk", "stock", "price")),
        list(Exchange.objects.values_list("pk", "state")),
        list(Redemption.objects.values_list("pk", "state")),
    )


def pick(rows: list[Any], i: int) -> Any:
    return rows[i % len(rows)] if rows else None


def run(bank: Any, op: tuple[Any, ...]) -> None:
    people = [bank.ann, bank.bob, bank.cat, bank.dan]
    residents = {bank.ann.pk: bank.ann_user, bank.bob.pk: bank.bob_user}
    name = op[0]
    if name == "credit":
        ref = f"att:{op[3]}" if op[3] else ""
        credit_service_hours(bank.worker, community=bank.a, person=pick(people, op[1]), minutes=op[2], ref=ref)
    elif name == "exchange":
        giver, receiver = pick(people, op[1]), pick(people, op[2])
        actor = residents.get((receiver if op[4] else giver).pk, bank.worker)
        record_exchange(actor, giver=giver, receiver=receiver, minutes=op[3], memo="互助")
    elif name in ("confirm", "decline"):
        exchange = pick(list(Exchange.objects.order_by("pk")), op[1])
        if exchange is None:
            return
        actor = pick([bank.ann_user, bank.bob_user, bank.worker], op[2])
        (confirm_exchange if name == "confirm" else decline_exchange)(actor, exchange)
    elif name == "award":
        award_points(bank.worker, community=bank.a, person=pick(people, op[1]), points=op[2], memo="表彰")
    elif name == "reward":
        save_reward(bank.worker, community=bank.a, name="奖品", price=op[1], stock=op[2])
    elif name == "redeem":
        reward = pick(list(Reward.objects.order_by("pk")), op[2])
        if reward is not None:
            person = pick(people, op[1])
            redeem(residents.get(person.pk, bank.worker), person=person, reward=reward, quantity=op[3])
    elif name == "reverse":
        transfer = pick(list(Transfer.objects.order_by("pk")), op[1])
        if transfer is not None:
            reverse_transfer(pick([bank.worker, bank.worker_b], op[2]), transfer, "冲正")
    elif name == "cancel":
        redemption = pick(list(Redemption.objects.order_by("pk")), op[1])
        if redemption is not None:
            cancel_redemption(pick([bank.worker, bank.worker_b], op[2]), redemption, "退回")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(OPERATIONS, min_size=1, max_size=18))
def test_any_sequence_keeps_the_ledger_whole(bank: Any, plan: list[tuple[Any, ...]]) -> None:
    with transaction.atomic():  # each example starts from the same empty ledger
        for op in plan:
            before = snapshot()
            try:
                run(bank, op)
            except (ValidationError, PermissionDenied):
                assert snapshot() == before, f"refused {op} changed something"
            found = list(ledger.problems())
            assert not found, (op, found)
        for account in Account.objects.all():
            if account.kind != "community":
                assert account.balance >= 0, account
        transaction.set_rollback(True)
