"""Volunteer matching, pure: a closer, better-rated, skill-matching volunteer ranks first, each factor alone
moves the rank, a required certificate that expired (or was never recorded) excludes with its reason."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from linli.places.models import SEGMENT_WIDTH
from linli.volunteers.matching import (
    NEAR_HORIZON,
    Candidate,
    NeedSpec,
    Record,
    rank,
    slot_of,
)


def seg(*ids: int) -> str:
    return "".join(str(i).zfill(SEGMENT_WIDTH) for i in ids)


STREET, COMMUNITY, ESTATE, BUILDING = seg(1, 2), seg(1, 2, 3), seg(1, 2, 3, 4), seg(1, 2, 3, 4, 5)
OTHER_COMMUNITY_HOUSE = seg(1, 2, 9, 10, 11)
PLACES = {
    seg(1): SimpleNamespace(name="甲区", level="district"),
    STREET: SimpleNamespace(name="甲街道", level="street"),
    COMMUNITY: SimpleNamespace(name="甲一社区", level="community"),
    ESTATE: SimpleNamespace(name="甲园小区", level="estate"),
    BUILDING: SimpleNamespace(name="1号楼", level="building"),
}
FIRST_AID, COOKING = 1, 2
START = timezone.make_aware(datetime.datetime(2030, 6, 1, 9, 0))  # a Saturday morning


def need(**fields: Any) -> NeedSpec:
    values: dict[str, Any] = {
        "place_path": BUILDING,
        "places": PLACES,
        "skills": {FIRST_AID: "急救", COOKING: "烹饪"},
        "starts_at": START,
        "day": START.date(),
    }
    values.update(fields)
    return NeedSpec(**values)


def candidate(name: str, **fields: Any) -> Candidate:
    """A middling volunteer: one of two skills, same estate, unrated, no record, no availability recorded."""
    values: dict[str, Any] = {
        "volunteer": SimpleNamespace(pk=abs(hash(name)) % 10_000),
        "name": name,
        "home_path": ESTATE + seg(6),
        "skill_ids": frozenset({FIRST_AID}),
    }
    values.update(fields)
    return Candidate(**values)


def order(spec: NeedSpec, *candidates: Candidate) -> list[str]:
    return [s.name for s in rank(spec, list(candidates)).suggestions]


def test_closer_better_rated_skill_matching_volunteer_ranks_first() -> None:
    good = candidate("甲", home_path=BUILDING + seg(7), skill_ids=frozenset({FIRST_AID, COOKING}), rating=(4.8, 12))
    poor = candidate("乙", home_path=OTHER_COMMUNITY_HOUSE, skill_ids=frozenset(), rating=(2.0, 3))
    ranked = rank(need(), [poor, good])
    assert [s.name for s in ranked.suggestions] == ["甲", "乙"]
    best = ranked.suggestions[0]
    assert "Skills: 急救、烹饪" in best.reasons
    assert "Lives in 1号楼" in best.reasons
    assert "Past rating 4.8 (12 times)" in best.reasons
    worst = ranked.suggestions[1]
    assert "Lacks: 急救、烹饪" in worst.reasons
    assert "Same street: 甲街道" in worst.reasons
    assert best.steps == 0 and worst.steps == 3
    assert best.score > worst.score


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        ({"skill_ids": frozenset({FIRST_AID, COOKING})}, {"skill_ids": frozenset({FIRST_AID})}),
        ({"home_path": BUILDING}, {"home_path": OTHER_COMMUNITY_HOUSE}),
        ({"rating": (4.5, 4)}, {"rating": (2.5, 4)}),
        ({"rating": (5.0, 1)}, {}),  # rated well beats not yet rated
        ({}, {"rating": (1.0, 2)}),  # …and not yet rated beats rated poorly
        ({"record": Record(done=9, no_show=1, minutes=600)}, {"record": Record(done=2, no_show=8, minutes=120)}),
        ({"availability": ["5am"]}, {"availability": ["5ev"]}),
    ],
    ids=["skills", "distance", "rating", "rated", "unrated", "attendance", "availability"],
)
def test_each_factor_alone_moves_the_rank(better: dict[str, Any], worse: dict[str, Any]) -> None:
    # 乙 sorts before 甲 by name (code point), so only the factor can put 甲 ahead.
    assert order(need(), candidate("乙", **worse), candidate("甲", **better)) == ["甲", "乙"]
    assert order(need(), candidate("乙", **worse), candidate("甲", **worse)) == ["乙", "甲"]


def test_nearness_fades_to_nothing_at_the_horizon() -> None:
    near = rank(need(), [candidate("甲", home_path=BUILDING)]).suggestions[0]
    far = rank(need(), [candidate("甲", home_path=seg(1, 8, 9, 10, 11))]).suggestions[0]
    assert far.steps >= NEAR_HORIZON and near.score - far.score == 25


def test_expired_or_missing_certificate_excludes_with_the_reason() -> None:
    spec = need(certificates=["first_aid"])
    day = START.date()
    valid = candidate("甲", certificates={"first_aid": [day + datetime.timedelta(days=1)]})
    lifelong = candidate("丙", certificates={"first_aid": [None]})
    expired = candidate("乙", certificates={"first_aid": [day - datetime.timedelta(days=1)]})
    missing = candidate("丁", skill_ids=frozenset({FIRST_AID, COOKING}))
    ranked = rank(spec, [valid, expired, missing, lifelong])
    assert sorted(s.name for s in ranked.suggestions) == ["丙", "甲"]
    reasons = {s.name: s.reasons for s in ranked.excluded}
    assert reasons == {"乙": ["Certificate expired: First aid"], "丁": ["Certificate missing: First aid"]}


def test_attendance_and_availability_reasons() -> None:
    spec = need()
    assert slot_of(START) == "5am"
    one = rank(spec, [candidate("甲", record=Record(done=3, no_show=1, minutes=390), availability=["5am"])])
    assert "Attended 3 of 4, 6.5 hours served" in one.suggestions[0].reasons
    assert "Usually free then" in one.suggestions[0].reasons
    other = rank(spec, [candidate("甲", availability=["0pm"])]).suggestions[0]
    assert "Usually busy then" in other.reasons and "No attendance record yet" in other.reasons
    assert "Not rated yet" in other.reasons


def test_no_skills_wanted_leaves_skill_out() -> None:
    spec = need(skills={})
    ranked = rank(spec, [candidate("乙", skill_ids=frozenset()), candidate("甲", home_path=BUILDING)])
    assert [s.name for s in ranked.suggestions] == ["甲", "乙"]
    assert not any(r.startswith(("Skills", "Lacks")) for s in ranked.suggestions for r in s.reasons)


def test_shown_caps_the_list() -> None:
    many = [candidate(f"v{i}") for i in range(12)]
    assert len(rank(need(), many, shown=5).suggestions) == 5
