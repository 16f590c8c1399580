"""The data-scope spec for the assessment figures (DESIGN §1 "sees", §6), over the matrix world's facts (the
cases of linli/tests/matrix_cases.py, dispatched through the actions, so the fold has written them).

Written from DESIGN, not from linli.assessment.scoping, deciding in Python over rows read once:
- a case's fact is assessment data about the case: it is read with the case by the staff who work on it (the
  cases spec's change/export reach; a reporter reads their request, not its assessment);
- a unit's day rows are read by whoever may read the unit (the units spec), a grid's day rows by the place
  roles under whose places the grid lies;
- nobody changes facts or day rows, platform admins included: the fold writes them from the timelines
  ("figures are reproducible from the event timeline", §6), and platform admins read them all;
- the scheme is a catalogue like the responsibility list: every user with a grant reads it, district command
  and platform admins change it;
- "pick" is defined for places only, so it is left open.

Beyond the data scope, the pages (DESIGN §1 with §6) say whose figures each role reads — `figure_units` — and
which rankings — `ranking_areas` and `peers`: district command every unit of its district and every ranking
there; a street dispatcher its street office, the communities of its street and the ranking of the streets of
its district; community staff their community committee; a department's handlers their department (and the
units below it) and the ranking of the departments of its district; nobody else any. A ranking's peers are
the units of the group's kind whose jurisdiction lies wholly in the area (streets with streets, departments
with departments, communities with communities).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linli.accounts.choices import Role
from linli.assessment.models import CaseFact, PlaceDayStat, Scheme, UnitDayStat
from linli.orgs.models import Unit
from linli.places.models import Place

from .matrix_spec_cases import case_reach

ASSESSMENT_MODELS: dict[str, type[Any]] = {
    "assessment.casefact": CaseFact,
    "assessment.unitdaystat": UnitDayStat,
    "assessment.placedaystat": PlaceDayStat,
    "assessment.scheme": Scheme,
}
PLACE_READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
STREET, COMMUNITY, DEPARTMENT = "street_office", "community_committee", "district_department"
# Role → the kinds of units whose figures it reads under its places (None: every kind).
FIGURES_BY_PLACE: dict[str, set[str] | None] = {
    Role.DISTRICT_COMMAND: None,
    Role.STREET_DISPATCHER: {STREET, COMMUNITY},
    Role.COMMUNITY_WORKER: {COMMUNITY},
    Role.COMMUNITY_SECRETARY: {COMMUNITY},
}
GROUP_KINDS = {"streets": STREET, "departments": DEPARTMENT, "communities": COMMUNITY}
GROUP_READERS = {
    "streets": {Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER},
    "departments": {Role.DISTRICT_COMMAND, Role.DEPARTMENT_HANDLER},
    "communities": {Role.DISTRICT_COMMAND},
}


class AssessmentFacts:
    """The world's facts, day rows and schemes, and the units' kinds, read once per matrix run."""

    def __init__(self) -> None:
        self.facts: dict[int, tuple[int | None, dict[str, int]]] = {
            pk: (unit, (contribution or {}).get("counts") or {})
            for pk, unit, contribution in CaseFact.objects.values_list("pk", "unit_id", "contribution")
        }
        self.unit_days: dict[int, int] = dict(UnitDayStat.objects.values_list("pk", "unit_id"))
        self.place_days: dict[int, str] = dict(PlaceDayStat.objects.values_list("pk", "place__path"))
        self.schemes = set(Scheme.objects.values_list("pk", flat=True))
        self.kinds: dict[int, str] = dict(Unit.objects.values_list("pk", "kind"))
        self.active = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
        self.places: dict[int, tuple[str, str]] = {
            pk: (path, level) for pk, path, level in Place.objects.values_list("pk", "path", "level")
        }

    def behind(self, unit_id: int, counter: str) -> set[int]:
        """The cases a unit's figure counts for `counter` (any day: the matrix world's cases are all today's)."""
        return {pk for pk, (unit, counts) in self.facts.items() if unit == unit_id and counts.get(counter)}


def _admin(hats: list[Any]) -> bool:
    return any(h.role == Role.PLATFORM_ADMIN for h in hats)


def assessment_rule(label: str, units_view: Callable[..., tuple[set[int], set[int]]]) -> Callable[..., Any]:
    """The spec of one assessment model (the scheme aside: a catalogue); `units_view` is the units spec."""

    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: AssessmentFacts = snap.assessment_facts
        rows = {
            "assessment.casefact": set(facts.facts),
            "assessment.unitdaystat": set(facts.unit_days),
            "assessment.placedaystat": set(facts.place_days),
        }[label]
        if action == "pick":
            return set(), rows
        if action == "change":
            return set(), set()  # the fold writes facts and day rows from the timelines; nobody edits them
        if label == "assessment.casefact":
            reach = case_reach(snap.case_facts, user.pk, hats, snap.unit_and_below, "change")
            return rows & reach, set()
        if _admin(hats):
            return rows, set()
        if label == "assessment.unitdaystat":
            units = units_view(snap, user, hats, "view")[0]
            return {pk for pk, unit in facts.unit_days.items() if unit in units}, set()
        paths = [h.path for h in hats if h.role in PLACE_READERS and h.path]
        return {pk for pk, path in facts.place_days.items() if any(path.startswith(p) for p in paths)}, set()

    return rule


# --------------------------------------------------------------------------------------------------
# The pages' reach


def figure_units(snap: Any, hats: list[Any]) -> set[int]:
    """Units whose figures a viewer wearing `hats` reads."""
    facts: AssessmentFacts = snap.assessment_facts
    if _admin(hats):
        return set(facts.kinds)
    out: set[int] = set()
    for h in hats:
        if h.role in FIGURES_BY_PLACE and h.path:
            kinds = FIGURES_BY_PLACE[h.role]
            out |= {pk for pk in snap.wholly_under(h.path) if kinds is None or facts.kinds[pk] in kinds}
        if h.role == Role.DISTRICT_COMMAND and h.unit_id:
            out.add(h.unit_id)
        if h.role == Role.DEPARTMENT_HANDLER and h.unit_id:
            out |= snap.unit_and_below(h.unit_id)
    return out


def may_rank(hats: list[Any], group: str) -> bool:
    return _admin(hats) or any(h.role in GROUP_READERS[group] for h in hats)


def _district_of(facts: AssessmentFacts, path: str) -> set[int]:
    """The place itself when it is a district or above, else the district above it."""
    own = [pk for pk, (p, level) in facts.places.items() if p == path]
    if own and facts.places[own[0]][1] in {"province", "city", "district"}:
        return set(own)
    return {pk for pk, (p, level) in facts.places.items() if level == "district" and path.startswith(p)}


def ranking_areas(snap: Any, hats: list[Any], group: str) -> set[int]:
    """The places within which the viewer reads the ranking of `group`."""
    facts: AssessmentFacts = snap.assessment_facts
    if _admin(hats):
        return {pk for pk, (_, level) in facts.places.items() if level == "district"}
    out: set[int] = set()
    for h in hats:
        if h.role not in GROUP_READERS[group]:
            continue
        if h.path:
            out |= _district_of(facts, h.path)
        if h.unit_id:
            for path in snap.units[h.unit_id][1]:
                out |= _district_of(facts, path)
    return out


def peers(snap: Any, area: int, group: str) -> set[int]:
    """The units ranked in `group` within the area (active ones; the matrix world winds none up)."""
    facts: AssessmentFacts = snap.assessment_facts
    inside = snap.wholly_under(facts.places[area][0])
    return {pk for pk in inside if facts.kinds[pk] == GROUP_KINDS[group] and pk in facts.active}
