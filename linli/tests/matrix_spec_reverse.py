"""The data-scope spec for the reverse assessment (反向考核, DESIGN §1 "sees", §6), over the matrix world's ratings,
surveys and answers (linli/tests/matrix_reverse.py).

Written from the rules as linli.assessment.scoping_reverse states them, deciding in plain Python over rows read
once (never through member_units or the scoping code):
- an exchange rating and a survey answer are read by the people of the rater unit and of the rated unit — those
  a grant in force makes act as the unit (`acting_units`: a grant naming it or a unit above it, or the place
  role that makes its holder the committee, street office or command centre at exactly that place) — and by
  district command when a jurisdiction place of the rater or the rated unit lies under its district grants;
  "export" and "pick" read the same; platform administrators read all;
- a survey (its period and questions) is read by the staff of its district: place roles whose places lie in
  it, and the people of units (or a unit below them) working in it;
- nobody changes any of them through a scope, platform admins included: the actions write them.

Beyond the data scope, for the pages: who rates as which unit and whom (linli.assessment.exchanges' docstring:
`rater_units`, `rated_candidates`) and whose monthly report a viewer reads (`report_units`: the street offices
and departments they act for, and for district command those wholly in its district).
"""

from __future__ import annotations

from typing import Any

from linli.accounts.choices import Role
from linli.assessment.models_reverse import ExchangeRating, ReverseSurvey, SurveyAnswer
from linli.orgs.models import Unit

REVERSE_MODELS: dict[str, type[Any]] = {
    "assessment.exchangerating": ExchangeRating,
    "assessment.reversesurvey": ReverseSurvey,
    "assessment.surveyanswer": SurveyAnswer,
}
PLACE_READERS = {
    Role.GRID_WORKER,
    Role.COMMUNITY_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.STREET_DISPATCHER,
    Role.DISTRICT_COMMAND,
}
COMMUNITY, STREET, DEPARTMENT = "community_committee", "street_office", "district_department"
# A place grant makes its holder one of the people of the unit of this kind working at exactly that place
# (§3: the 居委会 of a community, the 街道办 of a street, the command centre of a district).
UNIT_OF_PLACE: dict[str, str] = {
    Role.COMMUNITY_WORKER: COMMUNITY,
    Role.COMMUNITY_SECRETARY: COMMUNITY,
    Role.STREET_DISPATCHER: STREET,
    Role.DISTRICT_COMMAND: "command_centre",
}
# §6: communities rate their street office, streets the district departments; raters act through place roles.
RATER_ROLES: dict[str, str] = {
    Role.COMMUNITY_WORKER: COMMUNITY,
    Role.COMMUNITY_SECRETARY: COMMUNITY,
    Role.STREET_DISPATCHER: STREET,
}
RATED_KIND = {COMMUNITY: STREET, STREET: DEPARTMENT}
REPORT_KINDS = {STREET, DEPARTMENT}


class ReverseFacts:
    """The world's ratings, surveys and answers, and the units' kinds, read once per matrix run."""

    def __init__(self) -> None:
        self.ratings: dict[int, tuple[int, int]] = {
            pk: (rater, rated)
            for pk, rater, rated in ExchangeRating.objects.values_list("pk", "rater_unit", "rated_unit")
        }
        self.answers: dict[int, tuple[int, int]] = {
            pk: (rater, rated)
            for pk, rater, rated in SurveyAnswer.objects.values_list("pk", "rater_unit", "rated_unit")
        }
        self.surveys: dict[int, tuple[str, str]] = {
            pk: (path, kind)
            for pk, path, kind in ReverseSurvey.objects.values_list("pk", "district__path", "rater_kind")
        }
        self.kinds: dict[int, str] = dict(Unit.objects.values_list("pk", "kind"))
        self.active = set(Unit.objects.filter(is_active=True).values_list("pk", flat=True))


def _admin(hats: list[Any]) -> bool:
    return any(h.role == Role.PLATFORM_ADMIN for h in hats)


def acting_units(snap: Any, kinds: dict[int, str], hats: list[Any]) -> set[int]:
    """The units a viewer wearing `hats` works for (acts as): the spec of "works for a unit"."""
    out: set[int] = set()
    for h in hats:
        if h.unit_id:
            out |= snap.unit_and_below(h.unit_id)
        kind = UNIT_OF_PLACE.get(h.role)
        if kind and h.path:
            out |= {pk for pk, (_, paths) in snap.units.items() if kinds[pk] == kind and h.path in paths}
    return out


def _in_district(snap: Any, unit_id: int, districts: list[str]) -> bool:
    return any(p.startswith(d) for p in snap.units[unit_id][1] for d in districts)


def reverse_rule(label: str) -> Any:
    def rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
        facts: ReverseFacts = snap.reverse_facts
        if action == "change":
            return set(), set()  # written only by the actions, never changed through a scope
        if label == "assessment.reversesurvey":
            if _admin(hats):
                return set(facts.surveys), set()
            paths = [h.path for h in hats if h.role in PLACE_READERS and h.path]
            for h in hats:
                if h.unit_id:
                    for unit in snap.unit_and_below(h.unit_id):
                        paths += snap.units[unit][1]
            return {pk for pk, (d, _) in facts.surveys.items() if any(p.startswith(d) for p in paths)}, set()
        rows = facts.ratings if label == "assessment.exchangerating" else facts.answers
        if _admin(hats):
            return set(rows), set()
        mine = acting_units(snap, facts.kinds, hats)
        districts = [h.path for h in hats if h.role == Role.DISTRICT_COMMAND and h.path]
        must = {
            pk
            for pk, (rater, rated) in rows.items()
            if rater in mine
            or rated in mine
            or _in_district(snap, rater, districts)
            or _in_district(snap, rated, districts)
        }
        return must, set()

    return rule


# --------------------------------------------------------------------------------------------------
# The pages' reach


def rater_units(snap: Any, hats: list[Any]) -> set[int]:
    """The community committees and street offices a viewer rates as: through a place role at exactly the
    unit's place (platform admins rate as nobody)."""
    kinds: dict[int, str] = snap.reverse_facts.kinds
    active = snap.reverse_facts.active
    out: set[int] = set()
    for h in hats:
        kind = RATER_ROLES.get(h.role)
        if kind and h.path:
            out |= {pk for pk, (_, paths) in snap.units.items() if kinds[pk] == kind and h.path in paths}
    return out & active


def rated_candidates(snap: Any, rater: int) -> set[int]:
    """The units `rater` rates: the active units of the kind it rates whose jurisdiction covers its area."""
    facts: ReverseFacts = snap.reverse_facts
    kind = RATED_KIND.get(facts.kinds[rater])
    area = snap.units[rater][1]
    return {
        pk
        for pk, (_, paths) in snap.units.items()
        if facts.kinds[pk] == kind and pk in facts.active and any(a.startswith(p) for a in area for p in paths)
    }


def survey_raters(snap: Any, hats: list[Any], survey: int) -> set[int]:
    """The viewer's rater units that the survey asks: of its kind, working in its district."""
    district, kind = snap.reverse_facts.surveys[survey]
    return {
        r
        for r in rater_units(snap, hats)
        if snap.reverse_facts.kinds[r] == kind and any(p.startswith(district) for p in snap.units[r][1])
    }


def report_units(snap: Any, hats: list[Any]) -> set[int]:
    """Street offices and departments whose monthly report the viewer reads."""
    facts: ReverseFacts = snap.reverse_facts
    if _admin(hats):
        reach = set(facts.kinds)
    else:
        reach = acting_units(snap, facts.kinds, hats)
        for h in hats:
            if h.role == Role.DISTRICT_COMMAND:
                reach |= snap.wholly_under(h.path) if h.path else set()
                reach |= {h.unit_id} if h.unit_id else set()
    return {pk for pk in reach if facts.kinds[pk] in REPORT_KINDS}
