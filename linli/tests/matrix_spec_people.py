"""The data-scope spec for the registry of people, households and houses (DESIGN §1 "sees", §7), over the
fixture world's registry (linli/tests/matrix_people.py).

Written from the rules, not from linli.people.scoping, and deciding in Python over rows read once:
- a user sees what lies under the places granted to them (§1): the place roles — grid worker, community
  worker and secretary, street dispatcher, district command — read the people who live under their places,
  and the houses there;
- changing is registry upkeep, the community's work (§1 "registry upkeep"): community workers and secretaries
  under their community, district command under its district; grid workers and street dispatchers read only;
- department handlers, service providers, volunteers, residents and auditors read none of it: their scope is
  their unit's cases, their own records, the audit trail (§1), not the registry;
- a person's household memberships, care tags, visits, party record and consents go with the person, wherever
  the household or house is; a house's record, its households, owners and tenants go with the house, wherever
  the owner or tenant lives;
- the care visit rules and the retention rules are catalogues: every user with a grant in force reads them,
  district command changes them;
- purged counts (anonymous numbers per community) are read by the place roles under whose places the
  community lies; nobody changes them (the purge writes them);
- an import job, its file and its row errors are its uploader's alone;
- platform admins reach everything; exporting is reading; "pick" is defined for places only, so it is left
  open here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.people.models import (
    CareRule,
    CareTag,
    CareVisit,
    Consent,
    House,
    Household,
    HouseholdMember,
    Ownership,
    PartyMembership,
    Person,
    PurgedCount,
    RegistryImport,
    RetentionRule,
    Tenancy,
)

READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
KEEPERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}

PERSON_PARTS: dict[str, type[Any]] = {
    "people.householdmember": HouseholdMember,
    "people.caretag": CareTag,
    "people.carevisit": CareVisit,
    "people.partymembership": PartyMembership,
    "people.consent": Consent,
}
HOUSE_PARTS: dict[str, tuple[type[Any], str]] = {
    "people.house": (House, "place__path"),
    "people.household": (Household, "house__path"),
    "people.ownership": (Ownership, "house__path"),
    "people.tenancy": (Tenancy, "house__path"),
}
# Catalogues, by the PeopleFacts attribute holding their rows.
CATALOGUES = {"people.carerule": "care_rules", "people.retentionrule": "retention_rules"}
PEOPLE_MODELS: dict[str, type[Any]] = {
    "people.person": Person,
    **PERSON_PARTS,
    **{label: model for label, (model, _) in HOUSE_PARTS.items()},
    "people.carerule": CareRule,
    "people.retentionrule": RetentionRule,
    "people.purgedcount": PurgedCount,
    "people.registryimport": RegistryImport,
}


class PeopleFacts:
    """The world's registry, read once per matrix run: where each row lives, and who uploaded each import."""

    def __init__(self) -> None:
        self.persons: dict[int, str] = dict(Person.objects.values_list("pk", "place__path"))
        self.person_parts = {
            label: dict(model.objects.values_list("pk", "person_id")) for label, model in PERSON_PARTS.items()
        }
        self.house_parts = {
            label: dict(model.objects.values_list("pk", path)) for label, (model, path) in HOUSE_PARTS.items()
        }
        self.purged: dict[int, str] = dict(PurgedCount.objects.values_list("pk", "community__path"))
        self.imports: dict[int, int] = dict(RegistryImport.objects.values_list("pk", "created_by_id"))
        self.care_rules = set(CareRule.objects.values_list("pk", flat=True))
        self.retention_rules = set(RetentionRule.objects.values_list("pk", flat=True))


def _under(paths: list[str], rows: dict[int, str]) -> set[int]:
    return {pk for pk, path in rows.items() if any(path.startswith(p) for p in paths)}


def people_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    """The spec of one registry model (catalogues aside): (must reach, left open) for a viewer and action."""

    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: PeopleFacts = snap.people_facts
        rows = _rows(facts, label)
        if action == "pick":
            return set(), set(rows)
        if any(h.role == Role.PLATFORM_ADMIN for h in hats):
            return set(rows), set()
        if label == "people.registryimport":
            return ({pk for pk, by in facts.imports.items() if by == user.pk} if hats else set()), set()
        if label == "people.purgedcount" and action == "change":
            return set(), set()
        roles = KEEPERS if action == "change" else READERS
        paths = [h.path for h in hats if h.role in roles and h.path]
        if label in PERSON_PARTS:
            persons = _under(paths, facts.persons)
            return {pk for pk, person in rows.items() if person in persons}, set()
        return _under(paths, rows), set()

    return rule


def _rows(facts: PeopleFacts, label: str) -> dict[int, Any]:
    if label == "people.person":
        return facts.persons
    if label in PERSON_PARTS:
        return facts.person_parts[label]
    if label in HOUSE_PARTS:
        return facts.house_parts[label]
    if label == "people.purgedcount":
        return facts.purged
    return facts.imports
