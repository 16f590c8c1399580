"""The data-scope spec for the service catalogue (DESIGN §1, §9; issue 20), over the matrix world's
catalogue (linli/tests/matrix_services.py). Written from the rules, deciding in Python over rows read once:

- service kinds are a catalogue like the responsibility list: every grant holder reads them, district
  command changes them;
- offers are public to every grant holder ("what services exist near me", their providers and prices);
- an offer is changed by district command, or by community workers and secretaries when every place it
  serves lies under their community (a street-wide offer, or one also serving another community, is not
  one community's to change);
- platform admins reach everything; "pick" is defined for places only, so it is left open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.services.models import ServiceKind, ServiceOffer

SERVICES_MODELS: dict[str, type[Any]] = {"services.servicekind": ServiceKind, "services.serviceoffer": ServiceOffer}
OFFER_KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY}


class ServicesFacts:
    def __init__(self) -> None:
        self.kinds = set(ServiceKind.objects.values_list("pk", flat=True))
        self.offers: dict[int, list[str]] = {pk: [] for pk in ServiceOffer.objects.values_list("pk", flat=True)}
        for pk, path in ServiceOffer.places.through.objects.values_list("serviceoffer_id", "place__path"):
            self.offers[pk].append(path)


def _facts(snap: Any) -> ServicesFacts:
    if getattr(snap, "services_facts", None) is None:
        snap.services_facts = ServicesFacts()
    facts: ServicesFacts = snap.services_facts
    return facts


def services_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts = _facts(snap)
        rows = facts.kinds if label == "services.servicekind" else set(facts.offers)
        if action == "pick":
            return set(), set(rows)
        if any(h.role == Role.PLATFORM_ADMIN for h in hats):
            return set(rows), set()
        if action != "change":
            return (set(rows) if hats else set()), set()
        if any(h.role == Role.DISTRICT_COMMAND for h in hats):
            return set(rows), set()
        if label == "services.servicekind":
            return set(), set()
        paths = [h.path for h in hats if h.role in OFFER_KEEPERS and h.path]
        kept = {
            pk
            for pk, served in facts.offers.items()
            if served and paths and all(any(s.startswith(p) for p in paths) for s in served)
        }
        return kept, set()

    return rule
