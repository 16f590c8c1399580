"""The data-scope spec for the closed loop (DESIGN §1 "sees", §4), over the fixture world's cases.

Written from the rules, not from linli.cases.scoping, and deciding in Python over rows read once:
- a reporter reads their own requests, whatever roles they hold (resident, volunteer, anyone who asked);
- place roles read the cases at places under their grants: grid worker its grid(s), community staff their
  community, street dispatcher its street, district command its district;
- department handlers and service providers read the cases ever given to their unit or a unit below it:
  lead or co-handling (an ended assignment still counts: they did the work) or summoned by a whistle;
  district command likewise for a command centre it is granted (escalations land there);
- changing and exporting is staff work: the same reach less the "own request" clause;
- auditors read none of it, platform admins all of it;
- a case's parts (events, photos, assignments, returns, approvals, whistle calls) go with their case;
- "pick" is defined for places only, so it is left open here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.cases.models import (
    Case,
    CaseApproval,
    CaseAssignment,
    CaseEvent,
    CasePhoto,
    CaseReturn,
    DeadlineRule,
    WhistleCall,
)

CASE_PLACE_ROLES = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
CASE_UNIT_ROLES = {Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER, Role.DISTRICT_COMMAND}

PARTS: dict[str, type[Any]] = {
    "cases.caseevent": CaseEvent,
    "cases.casephoto": CasePhoto,
    "cases.caseassignment": CaseAssignment,
    "cases.casereturn": CaseReturn,
    "cases.caseapproval": CaseApproval,
    "cases.whistlecall": WhistleCall,
}
CASE_MODELS: dict[str, type[Any]] = {"cases.case": Case, **PARTS, "cases.deadlinerule": DeadlineRule}
# Labels whose export follows the change reach (the own-request clause is for reading only).
EXPORT_AS_CHANGE = {"cases.case", *PARTS}


class CaseFacts:
    """The world's cases and parts, read once per matrix run."""

    def __init__(self) -> None:
        self.cases: dict[int, tuple[str, int | None, int]] = {
            pk: (path, reporter, place)
            for pk, path, reporter, place in Case.objects.values_list("pk", "place__path", "reporter_id", "place_id")
        }
        self.assigned: dict[int, set[int]] = {}  # case → units ever assigned (lead or co)
        for case_id, unit_id in CaseAssignment.objects.values_list("case_id", "unit_id"):
            self.assigned.setdefault(case_id, set()).add(unit_id)
        self.summoned: dict[int, set[int]] = {}  # case → units whistled to it
        for case_id, unit_id in WhistleCall.objects.values_list("case_id", "unit_id"):
            self.summoned.setdefault(case_id, set()).add(unit_id)
        self.parts = {label: dict(model.objects.values_list("pk", "case_id")) for label, model in PARTS.items()}
        self.deadline_rules = set(DeadlineRule.objects.values_list("pk", flat=True))

    def given(self, case_id: int) -> set[int]:
        return self.assigned.get(case_id, set()) | self.summoned.get(case_id, set())


def case_reach(
    facts: CaseFacts, user_pk: int, hats: list[Any], below: Callable[[int], set[int]], action: str
) -> set[int]:
    """The cases a viewer wearing `hats` reaches for "view" or "change" (export: pass "change")."""
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return set(facts.cases)
    if not hats:
        return set()
    out: set[int] = set()
    if action == "view":
        out |= {pk for pk, (_, reporter, _) in facts.cases.items() if reporter == user_pk}
    for h in hats:
        if h.role in CASE_PLACE_ROLES and h.path:
            out |= {pk for pk, (path, _, _) in facts.cases.items() if path.startswith(h.path)}
        if h.role in CASE_UNIT_ROLES and h.unit_id:
            units = below(h.unit_id)
            out |= {pk for pk in facts.cases if facts.given(pk) & units}
    return out


def case_rule(label: str) -> Callable[..., tuple[set[int], set[int]]]:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: CaseFacts = snap.case_facts
        rows = set(facts.cases) if label == "cases.case" else set(facts.parts[label])
        if action == "pick":
            return set(), rows
        reach = case_reach(facts, user.pk, hats, snap.unit_and_below, "view" if action == "view" else "change")
        if label == "cases.case":
            return reach, set()
        return {pk for pk, case_id in facts.parts[label].items() if case_id in reach}, set()

    return rule


def work_places(facts: CaseFacts, hats: list[Any], below: Callable[[int], set[int]]) -> tuple[set[int], set[int]]:
    """Places a department handler or provider reads as the context of its cases: (must, open).

    Must: the place of a case ever assigned (lead or co) to a unit the viewer is granted. Open: a case
    assigned to a unit below it, or only whistled to its unit (the case page shows the place; whether the
    registry page opens too, the spec does not say)."""
    units = {h.unit_id for h in hats if h.role in {Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER} and h.unit_id}
    if not units:
        return set(), set()
    tree: set[int] = set()
    for unit in units:
        tree |= below(unit)
    must = {place for pk, (_, _, place) in facts.cases.items() if facts.assigned.get(pk, set()) & units}
    open_ = {place for pk, (_, _, place) in facts.cases.items() if facts.given(pk) & tree}
    return must, open_ - must
