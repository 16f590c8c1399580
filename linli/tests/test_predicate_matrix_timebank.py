"""The generated predicate matrix for the time bank (issue 20): every viewer of the matrix world × every time
bank predicate of linli.accounts.predicates × the world's communities, persons, transfers, exchanges,
rewards and redemptions, against a table written from DESIGN §1 and §9, never from the code:
- the ledger of a community is kept by its community workers and secretaries and by district command above
  it (they record hours, award points, keep the shelf, reverse, print statements); the street reads it;
- a resident acts on their own record only (a grant in force and the verified phone on the record): proposes
  an exchange they are part of, answers one the other side proposed, spends their own points, reads their
  own statement;
- platform admins may do everything but answer an exchange: a confirmation is the resident's own word, given
  by nobody else; inactive users nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.people.models import Person
from linli.places.models import Place
from linli.timebank.models import Exchange, Redemption, Reward, Transfer

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat, Snapshot

KEEPERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
LEDGER_READERS = KEEPERS | {Role.STREET_DISPATCHER}
OWN_WORD = {"can_answer_exchange"}


class Who:
    def __init__(self, user: Any, hats: list[Hat]):
        self.user, self.hats = user, hats

    def keeps(self, path: str, roles: frozenset[str] = KEEPERS) -> bool:
        return any(h.role in roles and h.path and path.startswith(h.path) for h in self.hats)

    def own(self, person: Person) -> bool:
        digest = self.user.phone_digest
        return bool(self.hats) and bool(digest) and person.phone_digest == digest


def _transfer_paths(t: Transfer) -> list[str]:
    return [
        e.account.person.place.path if e.account.person_id else e.account.community.path
        for e in t.entries.select_related("account__person__place", "account__community")
    ]


def _proposer(x: Exchange) -> Person:
    return x.giver if x.proposed_by == "giver" else x.receiver


def _waiting(x: Exchange) -> Person:
    return x.receiver if x.proposed_by == "giver" else x.giver


# name → (objects, the rule over (Who, object)); an object tuple is spread into the predicate's arguments.
TABLE: dict[str, tuple[str, Callable[[Who, Any], bool]]] = {
    "can_record_service_hours": ("community", lambda w, c: w.keeps(c.path)),
    "can_award_points": ("community", lambda w, c: w.keeps(c.path)),
    "can_manage_rewards": ("community", lambda w, c: w.keeps(c.path)),
    "can_read_community_ledger": ("community", lambda w, c: w.keeps(c.path, LEDGER_READERS)),
    "can_reverse_transfer": ("transfer", lambda w, t: all(w.keeps(p) for p in _transfer_paths(t))),
    "can_read_statement": ("person", lambda w, p: w.own(p) or w.keeps(p.place.path)),
    "can_propose_exchange": (
        "pair",
        lambda w, gr: w.own(gr[0]) or w.own(gr[1]) or (w.keeps(gr[0].place.path) and w.keeps(gr[1].place.path)),
    ),
    "can_answer_exchange": ("exchange", lambda w, x: w.own(_waiting(x))),
    "can_withdraw_exchange": ("exchange", lambda w, x: w.own(_proposer(x)) or w.keeps(x.community.path)),
    "can_redeem": ("purchase", lambda w, pr: w.own(pr[0]) or w.keeps(pr[1].community.path)),
    "can_cancel_redemption": ("redemption", lambda w, r: w.keeps(r.reward.community.path)),
}


def _objects() -> dict[str, list[tuple[str, Any]]]:
    persons = list(Person.objects.select_related("place").order_by("pk"))
    rewards = list(Reward.objects.select_related("community").order_by("pk"))
    return {
        "community": [(f"community {c.code}", c) for c in Place.objects.filter(level="community").order_by("path")],
        "transfer": [(f"transfer#{t.pk}", t) for t in Transfer.objects.order_by("pk")],
        "person": [(f"person#{p.pk}", p) for p in persons],
        "pair": [(f"{g.pk}→{r.pk}", (g, r)) for g in persons for r in persons if g.pk != r.pk][:60],
        "exchange": [
            (f"exchange#{x.pk}", x) for x in Exchange.objects.select_related("giver", "receiver", "community")
        ],
        "purchase": [(f"person#{p.pk} reward#{r.pk}", (p, r)) for p in persons for r in rewards],
        "redemption": [(f"redemption#{r.pk}", r) for r in Redemption.objects.select_related("reward__community")],
    }


def predicate_probes(matrix_world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    snap = Snapshot()
    objects = _objects()
    for viewer in viewers(matrix_world):
        hats = snap.hats(viewer.fresh(), viewer.only)
        for name, (kind, rule) in TABLE.items():
            if names is not None and name not in names:
                continue
            predicate: Callable[..., bool] = getattr(predicates, name)
            for label, obj in objects[kind]:
                user = viewer.fresh()
                who = Who(user, hats)
                admin = any(h.role == Role.PLATFORM_ADMIN for h in hats) and name not in OWN_WORD
                want = user.is_active and (admin or rule(who, obj))
                args = obj if isinstance(obj, tuple) else (obj,)
                try:
                    got = bool(predicate(user, *args))
                except Exception as exc:  # a crash is a failed probe
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_timebank_predicates_match_the_table(matrix_world: Any, record_property: Any) -> None:
    result = predicate_probes(matrix_world)
    record_property("scope_probes", result.count)
    assert result.count >= 1000, result.count
    shown = "\n".join(result.failures[:60])
    assert not result.failures, f"{len(result.failures)} of {result.count} predicate probes failed:\n{shown}"


def test_the_table_names_every_timebank_predicate() -> None:
    import inspect

    source = inspect.getsource(predicates)
    section = source[source.index("# Time bank (issue 20)") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE), defined ^ set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_read_statement", lambda user, person: predicates._keeps_ledger_at(user, person.place.path)),
        ("can_reverse_transfer", lambda user, transfer: True),
        ("can_answer_exchange", lambda user, x: predicates.can_withdraw_exchange(user, x)),
        ("can_read_community_ledger", lambda user, c: predicates.can_read_registry(user)),
    ],
)
def test_a_broken_predicate_fails_the_matrix(
    matrix_world: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Callable[..., bool]
) -> None:
    assert not predicate_probes(matrix_world, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(matrix_world, {name}).failures, name
