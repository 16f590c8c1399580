"""The time bank's part of the matrix world, made through the time bank's actions: accounts, transfers and
entries on sides A, B and X; a resident of A whose verified phone is on a registry record (so that "own
account" has rows); rewards on A's and B's shelves; exchanges proposed and confirmed; a reversal and a
cancelled redemption. Used by conftest's `matrix_world` after the registry (linli/tests/matrix_people.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linli.accounts.choices import Role
from linli.people.actions import registry
from linli.people.models import Person
from linli.timebank.actions import award_points, credit_service_hours, reverse_transfer
from linli.timebank.actions_exchange import record_exchange
from linli.timebank.actions_shelf import cancel_redemption, redeem, save_reward
from linli.timebank.models import Exchange, Reward

COMMUNITIES = {"a": "110101001001", "b": "110101002001", "x": "110102001001"}


@dataclass
class Timebank:
    own: Person
    rewards: dict[str, Reward] = field(default_factory=dict)
    exchanges: dict[str, Exchange] = field(default_factory=dict)


def make_timebank(world: Any) -> Timebank:
    users, outsiders, p = world.users, world.outsiders, world.people.persons
    worker_a, worker_b, command_x = (
        users[Role.COMMUNITY_WORKER],
        outsiders[Role.COMMUNITY_WORKER],
        outsiders[Role.DISTRICT_COMMAND],
    )
    resident_a = users[Role.RESIDENT]
    a, b, x = (world.places[COMMUNITIES[k]] for k in ("a", "b", "x"))
    own = registry.register_person(
        worker_a, place=world.people.houses["a"], name="矩阵甲账户人", residency="常住", birth_date="1985-01-01"
    )
    # The resident's verified phone on the record, without the case linking that registering a phone does.
    Person.objects.filter(pk=own.pk).update(phone_digest=resident_a.phone_digest)
    own.refresh_from_db()
    bank = Timebank(own=own)

    credit_service_hours(worker_a, community=a, person=p["a_adult"], minutes=120, memo="矩阵甲服务")
    credit_service_hours(worker_a, community=a, person=own, minutes=60, memo="矩阵甲居民服务")
    credit_service_hours(worker_b, community=b, person=p["b_adult"], minutes=90, memo="矩阵乙服务")
    credit_service_hours(command_x, community=x, person=p["x_adult"], minutes=30, memo="矩阵丙服务")
    award_points(worker_a, community=a, person=own, points=40, memo="矩阵甲积分")
    award_points(worker_b, community=b, person=p["b_adult"], points=20, memo="矩阵乙积分")

    bank.rewards["a"] = save_reward(worker_a, community=a, name="矩阵甲奖品", price=10, stock=5)
    bank.rewards["b"] = save_reward(worker_b, community=b, name="矩阵乙奖品", price=5, stock=5)
    redeem(resident_a, person=own, reward=bank.rewards["a"])
    redeem(worker_b, person=p["b_adult"], reward=bank.rewards["b"])
    cancel_redemption(worker_b, redeem(worker_b, person=p["b_adult"], reward=bank.rewards["b"]), "矩阵退回")

    # Proposed by the resident (the one helped), waiting for the helper; and one staff recorded, then reversed.
    bank.exchanges["proposed"] = record_exchange(
        resident_a, giver=p["a_adult"], receiver=own, minutes=30, memo="矩阵甲互助"
    )
    bank.exchanges["confirmed"] = record_exchange(
        worker_a, giver=own, receiver=p["a_adult"], minutes=15, memo="矩阵甲代录互助"
    )
    reverse_transfer(worker_a, bank.exchanges["confirmed"].transfer, "矩阵冲正")  # type: ignore[arg-type]
    return bank
