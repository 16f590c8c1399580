"""The scope matrix's checks for casting's read paths (issue 19): the owner's votes, the ballot page, the staff
desk (turnout, its Excel, paper entry, settling, in person, caster and proxy) and the published result.
Written from the rules (DESIGN §1, §8), deciding in Python over the world's rows — never by asking the
predicates or scope rules under test:
- turnout and its Excel: the place staff (grid worker, community staff, street, district) at or above the
  vote's place; the desk pages: community workers, secretaries and district command there;
- a ballot page: only the voter on the roll whose verified phone is that of the registered proxy, the
  co-owners' caster or an owner (the window and one-ballot rule are the action's, answered on the page);
- a result: only once the vote is closed, for staff whose places lie above or below the vote's place; a
  resident or volunteer with a registry record may read the results of their home (left open here: the
  registry is the people matrix's), anyone else sees nothing.
Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.participation.models_votes import RollEntry, RollOwner, Vote
from linli.people.models import Person

from .matrix_checks import DENIED, HIDDEN, Probe, _leaks

READERS = frozenset(
    {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND}
)
RUNNERS = frozenset({Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND})


def _hats(probe: Probe) -> list[Any]:
    return probe.snap.hats(probe.user)  # type: ignore[no-any-return]


def _admin(hats: list[Any]) -> bool:
    return any(h.role == Role.PLATFORM_ADMIN for h in hats)


def _above(hats: list[Any], roles: frozenset[str], path: str) -> bool:
    return any(h.role in roles and h.path and path.startswith(h.path) for h in hats)


def _expect(probe: Probe, url: str, allowed: bool) -> None:
    status = probe.client.get(url).status_code
    if allowed:
        probe.check(status == 200, f"GET {url} → {status}, must open")
    else:
        probe.check(status in DENIED | HIDDEN, f"GET {url} → {status}, must stay shut")


def _votes() -> list[Vote]:
    return list(Vote.objects.select_related("place").order_by("pk"))


def _staff_page(roles: frozenset[str]) -> Callable[[Probe, Callable[..., str]], None]:
    def check(probe: Probe, u: Callable[..., str]) -> None:
        hats = _hats(probe)
        for vote in _votes():
            allowed = probe.user.is_active and (_admin(hats) or _above(hats, roles, vote.place.path))
            _expect(probe, u(vote=vote.pk), bool(allowed))

    return check


def _proxy_page(probe: Probe, u: Callable[..., str]) -> None:
    hats = _hats(probe)
    for entry in RollEntry.objects.select_related("vote__place").order_by("pk"):
        allowed = probe.user.is_active and (_admin(hats) or _above(hats, RUNNERS, entry.vote.place.path))
        _expect(probe, u(vote=entry.vote_id, entry=entry.pk), bool(allowed))


def _ballot_page(probe: Probe, u: Callable[..., str]) -> None:
    digest = probe.user.phone_digest
    for entry in RollEntry.objects.select_related("vote", "caster", "proxy_person").order_by("pk"):
        vote = entry.vote
        # The registered proxy when one is recorded, else the co-owners' caster, else any owner named.
        if entry.proxy_name or entry.proxy_person_id:
            voters = {entry.proxy_person.phone_digest} if entry.proxy_person else set()
        elif entry.caster is not None:
            voters = {entry.caster.phone_digest}
        else:
            owners = Person.objects.filter(pk__in=RollOwner.objects.filter(entry=entry).values("person_id"))
            voters = set(owners.values_list("phone_digest", flat=True))
        allowed = probe.user.is_active and bool(digest) and digest in voters
        _expect(probe, u(vote=vote.pk, entry=entry.pk), bool(allowed))


def _result_page(probe: Probe, u: Callable[..., str]) -> None:
    hats = _hats(probe)
    taking_part = any(h.role in {Role.RESIDENT, Role.VOLUNTEER} for h in hats)
    registered = bool(probe.user.phone_digest) and Person.objects.filter(phone_digest=probe.user.phone_digest).exists()
    for vote in _votes():
        url = u(vote=vote.pk)
        path = vote.place.path
        staff = any(h.role in READERS and h.path and (path.startswith(h.path) or h.path.startswith(path)) for h in hats)
        if vote.state != "closed" or not probe.user.is_active:
            _expect(probe, url, False)
        elif _admin(hats) or staff:
            _expect(probe, url, True)
        elif not (taking_part and registered):
            _expect(probe, url, False)


CAST_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "participation:my_votes": lambda p, u: _leaks(p, u()),
    "participation:ballot_cast": _ballot_page,
    "participation:turnout": _staff_page(READERS),
    "participation:turnout_export": _staff_page(READERS),
    "participation:paper_entry": _staff_page(RUNNERS),
    "participation:paper_resolve": _staff_page(RUNNERS),
    "participation:in_person": _staff_page(RUNNERS),
    "participation:proxy": _proxy_page,
    "participation:result": _result_page,
    "participation:receipt_check": _result_page,
    "participation:result_file": _result_page,
}
