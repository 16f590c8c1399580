"""The predicate matrix for casting (issue 19): every viewer of the matrix world × casting's predicates of
linli.accounts.predicates × every vote or roll entry of the world, against a table written from DESIGN §1
and §8 — who may do what, over which reach — never from the code."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import pytest

from linli.accounts import predicates
from linli.accounts.choices import Role
from linli.participation.models_votes import RollEntry, RollOwner, Vote
from linli.people.models import Person

from .matrix_checks import Result
from .test_matrix_probes import viewers
from .test_matrix_spec import Hat, Snapshot

# §1 the place staff answer for their places; turnout is chased door to door by all of them.
READERS = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)
# §1 the community runs owners' meetings with the committee; district command keeps its district's places.
RUNNERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})
TABLE = {
    "can_read_turnout": "vote",
    "can_record_ballots": "vote",
    "can_cast_ballot": "entry",
    "can_resolve_paper": "entry",
}


def _above(hats: list[Hat], roles: frozenset[str], path: str) -> bool:
    return any(h.role in roles and h.path and path.startswith(h.path) for h in hats)


def allowed(user: Any, hats: list[Hat], name: str, obj: Any) -> bool:
    if not user.is_active:
        return False
    if name == "can_cast_ballot":  # §8 only verified owners vote: the account's phone is the voter's
        digest = user.phone_digest
        if not digest:
            return False
        if obj.proxy_name or obj.proxy_person_id:
            return obj.proxy_person_id is not None and obj.proxy_person.phone_digest == digest
        if obj.caster_id:
            return bool(obj.caster.phone_digest == digest)
        owners = Person.objects.filter(pk__in=RollOwner.objects.filter(entry=obj).values("person_id"))
        return digest in set(owners.values_list("phone_digest", flat=True))
    admin = any(h.role == Role.PLATFORM_ADMIN for h in hats)
    if name == "can_read_turnout":
        return admin or _above(hats, READERS, obj.place.path)
    if name == "can_record_ballots":
        return admin or _above(hats, RUNNERS, obj.place.path)
    # can_resolve_paper: a runner of the vote who typed neither entry (the third look at the paper).
    typed = set(obj.paper_entries.values_list("entered_by_id", flat=True))
    return (admin or _above(hats, RUNNERS, obj.vote.place.path)) and user.pk not in typed


@pytest.fixture
def voters(matrix_world: Any) -> Any:
    """Voters the world's one phone (side A's resident) may or may not cast for: as owner, as the chosen
    caster, as a registered proxy; and an owner whose co-owner was chosen."""
    resident = matrix_world.users[Role.RESIDENT]
    vote = matrix_world.cast.votes["a"]
    me = Person.objects.create(name="矩阵投票人", phone=resident.phone, place=vote.place, residency="resident")
    other = matrix_world.people["a_adult"]
    rows = {
        "own": (me, None, None),
        "caster_me": (me, me, None),
        "caster_other": (me, other, None),
        "proxy_me": (other, None, me),
        "proxy_named": (me, None, "name"),
    }
    for key, (owner, caster, proxy) in rows.items():
        entry = RollEntry.objects.create(
            vote=vote, owner_key=f"m:{key}", label="矩阵", area=Decimal(1), houses=[], caster=caster
        )
        RollOwner.objects.create(entry=entry, person=owner)
        if caster is not None:
            RollOwner.objects.create(entry=entry, person=other)
        if proxy == "name":
            entry.proxy_name = "矩阵代理"
        elif isinstance(proxy, Person):
            entry.proxy_name, entry.proxy_person = "矩阵代理", proxy
        entry.save()
    return matrix_world


def predicate_probes(world: Any, names: set[str] | None = None) -> Result:
    result = Result()
    snap = Snapshot()
    objects = {
        "vote": [(f"vote#{v.pk}", v) for v in Vote.objects.select_related("place").order_by("pk")],
        "entry": [
            (f"entry#{e.pk}", e)
            for e in RollEntry.objects.select_related("vote__place", "caster", "proxy_person").order_by("pk")
        ],
    }
    for viewer in viewers(world):
        for name, reach in TABLE.items():
            if names is not None and name not in names:
                continue
            for label, obj in objects[reach]:
                user = viewer.fresh()
                want = allowed(user, snap.hats(user, viewer.only), name, obj)
                try:
                    got = bool(getattr(predicates, name)(user, obj))
                except Exception as exc:  # a crash is a failed probe
                    result.check(False, f"{viewer.name} {name} {label}: raised {exc!r}")
                    continue
                result.check(got == want, f"{viewer.name} {name} {label}: {'refused' if want else 'allowed'}")
    return result


@pytest.mark.django_db
def test_casting_predicates_match_the_table(voters: Any) -> None:
    result = predicate_probes(voters)
    assert result.count >= 500, result.count
    assert not result.failures, "\n".join(result.failures[:40])


@pytest.mark.django_db
def test_the_resident_may_cast_exactly_where_the_table_says(voters: Any) -> None:
    resident = voters.users[Role.RESIDENT]
    may = {e.owner_key for e in RollEntry.objects.all() if predicates.can_cast_ballot(resident, e)}
    assert may == {"m:own", "m:caster_me", "m:proxy_me"}


def test_the_table_names_every_casting_predicate() -> None:
    source = inspect.getsource(predicates)
    section = source[source.index("# Owners' votes: casting ballots") :]
    end = section.find("\n# ----")
    section = section if end < 0 else section[:end]
    defined = {line.split("(")[0][4:] for line in section.splitlines() if line.startswith("def can_")}
    assert defined == set(TABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "broken"),
    [
        ("can_record_ballots", lambda user, vote: predicates.can_read_turnout(user, vote)),
        ("can_resolve_paper", lambda user, entry: predicates.can_record_ballots(user, entry.vote)),
        ("can_cast_ballot", lambda user, entry: entry.owners.filter(person__phone_digest=user.phone_digest).exists()),
    ],
)
@pytest.mark.sqlite_pass  # tests the test: any database will do
def test_a_broken_predicate_fails_the_matrix(
    voters: Any, monkeypatch: pytest.MonkeyPatch, name: str, broken: Any
) -> None:
    assert not predicate_probes(voters, {name}).failures
    monkeypatch.setattr(predicates, name, broken)
    assert predicate_probes(voters, {name}).failures, name
