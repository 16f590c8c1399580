"""The data-scope spec for the resource and expert library (DESIGN §1 "sees", §9), over the fixture world's
entries and bookings (linli/tests/matrix_resources.py).

Written from the rules, not from linli.resources.scoping, deciding in Python over rows read once:
- the place roles (grid worker, community staff, street dispatcher, district command) read the entries under
  their places, and a grant below a street opens its whole street (the library of "near my community");
- residents and volunteers read the library of the street they live in (a registry record with their
  verified phone) or of a place on their grant;
- an entry is read wherever it also serves;
- changing is for community workers, secretaries and district command under their places, and for the
  entry's steward;
- a booking goes with its venue (view and change) and is also its booker's;
- nobody without a grant in force reads anything; platform admins reach everything; exporting and picking
  are reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.people.models import Person
from linli.places.models import Place
from linli.resources.models import Booking, Resource

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}
TAKING_PART = {Role.RESIDENT, Role.VOLUNTEER}

RESOURCE_MODELS: dict[str, type[Any]] = {"resources.resource": Resource, "resources.booking": Booking}


class ResourceFacts:
    def __init__(self) -> None:
        self.entries: dict[int, tuple[str, int | None]] = {
            pk: (path, steward) for pk, path, steward in Resource.objects.values_list("pk", "place__path", "steward_id")
        }
        self.served: dict[int, list[str]] = {}
        for pk, path in Resource.serves.through.objects.values_list("resource_id", "place__path"):
            self.served.setdefault(pk, []).append(path)
        self.bookings: dict[int, tuple[int, int]] = {
            pk: (venue, by) for pk, venue, by in Booking.objects.values_list("pk", "resource_id", "booked_by_id")
        }
        self.streets = set(Place.objects.filter(level="street").values_list("path", flat=True))
        self.homes: dict[str, list[str]] = {}
        for digest, path in Person.objects.filter(left_on__isnull=True, phone_digest__isnull=False).values_list(
            "phone_digest", "place__path"
        ):
            self.homes.setdefault(digest or "", []).append(path)

    def street_of(self, path: str) -> str:
        return next((s for s in self.streets if path.startswith(s)), path)


def _entries(facts: ResourceFacts, user: Any, hats: list[Any], action: str) -> set[int]:
    steward = {pk for pk, (_, by) in facts.entries.items() if by == user.pk}
    if action == "change":
        paths = [h.path for h in hats if h.role in KEEPERS and h.path]
        return {pk for pk, (path, _) in facts.entries.items() if any(path.startswith(p) for p in paths)} | steward
    paths = [h.path for h in hats if h.role in READERS | TAKING_PART and h.path]
    if any(h.role in TAKING_PART for h in hats):
        paths += facts.homes.get(user.phone_digest or "", [])
    areas = {facts.street_of(p) for p in paths}

    def near(path: str) -> bool:
        return any(path.startswith(a) for a in areas)

    reached = {
        pk for pk, (path, _) in facts.entries.items() if near(path) or any(near(s) for s in facts.served.get(pk, []))
    }
    return reached | steward


def resource_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: ResourceFacts = snap.resource_facts
        rows = set(facts.entries) if label == "resources.resource" else set(facts.bookings)
        if not hats:
            return set(), set()
        if any(h.role == Role.PLATFORM_ADMIN for h in hats):
            return rows, set()
        entries = _entries(facts, user, hats, "change" if action == "change" else "view")
        if label == "resources.resource":
            return entries, set()
        return {pk for pk, (venue, by) in facts.bookings.items() if venue in entries or by == user.pk}, set()

    return rule
