"""The scope matrix's checks for the time bank's read paths (registered in matrix_checks.READ_PATHS).

A person's statement, its Excel and certificate are for the person (a viewer with a grant in force whose
verified phone is on the record) and for the ledger keepers — community workers and secretaries, district
command — above where the person lives (DESIGN §9): anyone else gets the same 404 as for no such person.
A community's ledger page is for the community staff, the street and the district above it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role

from .matrix_checks import DENIED, HIDDEN, MARKERS, Probe, _leaks, _pk_map, _sample

KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}
LEDGER_READERS = KEEPERS | {Role.STREET_DISPATCHER}

# An exchange's memo is the residents' own text: it must not show to a viewer outside the exchange's scope.
MARKERS["timebank.exchange"] = [lambda x: x.memo]


def _hats(probe: Probe) -> list[Any]:
    return probe.snap.hats(probe.user)


def _keeps(probe: Probe, path: str, roles: set[Role]) -> bool:
    hats = _hats(probe)
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return True
    return any(h.role in roles and h.path and path.startswith(h.path) for h in hats)


def _statement_paths(probe: Probe, url_of: Callable[[Any], str], k: int) -> None:
    digest = probe.user.phone_digest
    persons = _pk_map("people.person")
    allowed = {
        pk
        for pk, p in persons.items()
        if _hats(probe) and ((digest and p.phone_digest == digest) or _keeps(probe, p.place.path, KEEPERS))
    }
    for pk in _sample(probe, allowed, k) | _sample(probe, set(persons) - allowed, k):
        status = probe.client.get(url_of(persons[pk])).status_code
        if pk in allowed:
            probe.check(status == 200, f"GET {url_of(persons[pk])} (own or kept person#{pk}) → {status}")
        else:
            probe.check(status in HIDDEN | DENIED, f"GET {url_of(persons[pk])} (person#{pk} not theirs) → {status}")


def _community(probe: Probe, u: Callable[..., str]) -> None:
    communities = {pk: p for pk, p in _pk_map("places.place").items() if p.level == "community"}
    allowed = {pk for pk, p in communities.items() if _hats(probe) and _keeps(probe, p.path, LEDGER_READERS)}
    for pk in _sample(probe, allowed, 2) | _sample(probe, set(communities) - allowed, 2):
        url = u(pk=pk)
        if pk in allowed:
            _leaks(probe, url)
            probe.check(probe.client.get(url).status_code == 200, f"GET {url} (kept community) not shown")
        else:
            status = probe.client.get(url).status_code
            probe.check(status in HIDDEN | DENIED, f"GET {url} (community not kept) → {status}")


def _year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


TIMEBANK_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "timebank:mine": lambda p, u: _leaks(p, u()),
    "timebank:exchange_new": lambda p, u: _leaks(p, u()),
    "timebank:communities": lambda p, u: _leaks(p, u()),
    "timebank:community": _community,
    "timebank:statement": lambda p, u: _statement_paths(p, lambda o: u(pk=o.pk, year=_year()), 3),
    "timebank:statement_xlsx": lambda p, u: _statement_paths(p, lambda o: u(pk=o.pk, year=_year()), 1),
    "timebank:certificate": lambda p, u: _statement_paths(p, lambda o: u(pk=o.pk, year=_year()), 1),
}

TIMEBANK_NOT_READ_PATHS: dict[str, str] = {
    "timebank:verify": "public: a certificate's HMAC code names one person, shown masked with the hours only "
    "(linli/timebank/tests/test_pages.py)",
    "timebank:exchange_act": "POST only: an exchange found through the scoped read; confirm/decline check their "
    "predicates",
    "timebank:redeem": "POST only: a reward found through the scoped read, for the viewer's own record; redeem "
    "checks can_redeem",
    "timebank:award": "POST only: a person found through the community's scoped people; award_points checks its "
    "predicate",
    "timebank:reward_new": "POST only: save_reward checks can_manage_rewards",
    "timebank:reward_edit": "POST only: a reward found through the scoped change read; save_reward checks its "
    "predicate",
    "timebank:reverse": "POST only: a transfer found through the scoped read; reverse_transfer checks "
    "can_reverse_transfer",
    "timebank:cancel_redemption": "POST only: a redemption found through the scoped read; cancel_redemption checks "
    "its predicate",
}
