"""Suggesting volunteers for an activity or a project's need, best first, each with the reasons shown.

`rank` is pure: it takes the need and the candidates already read (linli.volunteers.queries, a bounded
number of queries whatever the number of volunteers) and scores each candidate out of 100:

- SKILL_WEIGHT × the share of the wanted skills the volunteer holds (nothing when none are wanted);
- NEAR_WEIGHT × (1 − steps / NEAR_HORIZON), floored at 0: steps up the place tree from the need's place
  to the nearest place above both it and the volunteer's home (linli.places.distance) — the house when the
  registry knows it, else the volunteer's community;
- RATING_WEIGHT × the residents' average rating (1–5 mapped to 0–1) of the projects the volunteer carried
  out (linli.projects.Rating), a middling 0.5 before the first rating so that one poor rating ranks below
  none at all;
- RELIABILITY_WEIGHT × the share of past sign-ups attended rather than missed (0.5 before any);
- AVAILABILITY_WEIGHT × 1 when the volunteer's recorded availability covers the need's start, 0 when it is
  recorded and does not, 0.5 when nothing is recorded or the need has no time.

Skill fit weighs most because a suggestion without the skill is rarely of use; nearness next, because the
community's volunteers walk to the work; the record of ratings and attendance splits the rest. A volunteer
lacking a required certificate valid on the day is not ranked but listed apart with the reason (expired or
missing), so staff see why someone they expected is absent. Inactive volunteers and those already holding
a place on the activity are left out by the read itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.places.choices import PlaceLevel
from linli.places.distance import common_path, steps_up

from .choices import CertificateKind, Period

SKILL_WEIGHT = 40
NEAR_WEIGHT = 25
RATING_WEIGHT = 15
RELIABILITY_WEIGHT = 10
AVAILABILITY_WEIGHT = 10
# Steps up at which nearness is worth nothing: from a building, past its estate, grid and community to
# the street.
NEAR_HORIZON = 4
NEUTRAL = 0.5
SHOWN = 8


@dataclass(frozen=True)
class Record:
    """Past sign-ups of a volunteer: attended, missed, and minutes credited."""

    done: int = 0
    no_show: int = 0
    minutes: int = 0


@dataclass
class Candidate:
    volunteer: Any
    name: str
    home_path: str
    skill_ids: frozenset[int]
    # kind → the expiry dates of the certificates held of that kind (None: does not expire)
    certificates: dict[str, list[datetime.date | None]] = field(default_factory=dict)
    availability: list[str] = field(default_factory=list)
    record: Record = field(default_factory=Record)
    rating: tuple[float, int] | None = None  # (average score 1–5, number of ratings)


@dataclass
class NeedSpec:
    """What is asked: where, which skills (id → name), which certificates, and when (if known)."""

    place_path: str
    places: dict[str, Any]  # path → Place, the need's place and those above it, for naming the reasons
    skills: dict[int, str]
    certificates: list[str] = field(default_factory=list)
    starts_at: datetime.datetime | None = None
    day: datetime.date | None = None


@dataclass
class Suggestion:
    candidate: Candidate
    score: float
    steps: int
    reasons: list[str] = field(default_factory=list)

    @property
    def volunteer(self) -> Any:
        return self.candidate.volunteer

    @property
    def name(self) -> str:
        return self.candidate.name


@dataclass
class Ranked:
    suggestions: list[Suggestion]
    excluded: list[Suggestion]


def slot_of(moment: datetime.datetime) -> str:
    """The availability slot code ("5am": Saturday morning) of a moment, in local time."""
    local = timezone.localtime(moment)
    period = Period.MORNING if local.hour < 12 else Period.AFTERNOON if local.hour < 18 else Period.EVENING
    return f"{local.weekday()}{period}"


def _labels(kinds: list[str]) -> str:
    return "、".join(str(CertificateKind(k).label) if k in CertificateKind.values else k for k in kinds)


def certificate_gaps(need: NeedSpec, candidate: Candidate) -> list[str]:
    """The reasons a candidate may not take part: required certificates expired or never recorded."""
    day = need.day or timezone.localdate()
    expired: list[str] = []
    missing: list[str] = []
    for kind in need.certificates:
        held = candidate.certificates.get(kind, [])
        if not held:
            missing.append(kind)
        elif not any(until is None or until >= day for until in held):
            expired.append(kind)
    reasons = []
    if expired:
        reasons.append(_("Certificate expired: %(kinds)s") % {"kinds": _labels(expired)})
    if missing:
        reasons.append(_("Certificate missing: %(kinds)s") % {"kinds": _labels(missing)})
    return reasons


def _skill_part(need: NeedSpec, candidate: Candidate, reasons: list[str]) -> float:
    if not need.skills:
        return 0.0
    held = [name for pk, name in need.skills.items() if pk in candidate.skill_ids]
    lacking = [name for pk, name in need.skills.items() if pk not in candidate.skill_ids]
    if held:
        reasons.append(_("Skills: %(skills)s") % {"skills": "、".join(held)})
    if lacking:
        reasons.append(_("Lacks: %(skills)s") % {"skills": "、".join(lacking)})
    return SKILL_WEIGHT * len(held) / len(need.skills)


def _near_part(need: NeedSpec, candidate: Candidate, reasons: list[str]) -> tuple[float, int]:
    steps = steps_up(need.place_path, candidate.home_path)
    shared = need.places.get(common_path(need.place_path, candidate.home_path))
    if steps == 0 and shared is not None:
        reasons.append(_("Lives in %(place)s") % {"place": shared.name})
    elif shared is not None:
        level = PlaceLevel(shared.level).label if shared.level in PlaceLevel.values else shared.level
        reasons.append(_("Same %(level)s: %(place)s") % {"level": str(level).lower(), "place": shared.name})
    return NEAR_WEIGHT * max(0.0, 1 - steps / NEAR_HORIZON), steps


def _rating_part(candidate: Candidate, reasons: list[str]) -> float:
    if candidate.rating is None or not candidate.rating[1]:
        reasons.append(_("Not rated yet"))
        return RATING_WEIGHT * NEUTRAL
    average, count = candidate.rating
    reasons.append(_("Past rating %(average).1f (%(count)d times)") % {"average": average, "count": count})
    return RATING_WEIGHT * (average - 1) / 4


def _record_part(candidate: Candidate, reasons: list[str]) -> float:
    record = candidate.record
    total = record.done + record.no_show
    if not total:
        reasons.append(_("No attendance record yet"))
        return RELIABILITY_WEIGHT * NEUTRAL
    hours = f"{record.minutes / 60:.1f}".removesuffix(".0")
    reasons.append(
        _("Attended %(done)d of %(total)d, %(hours)s hours served")
        % {"done": record.done, "total": total, "hours": hours}
    )
    return RELIABILITY_WEIGHT * record.done / total


def _availability_part(need: NeedSpec, candidate: Candidate, reasons: list[str]) -> float:
    if need.starts_at is None or not candidate.availability:
        return AVAILABILITY_WEIGHT * NEUTRAL
    if slot_of(need.starts_at) in candidate.availability:
        reasons.append(_("Usually free then"))
        return float(AVAILABILITY_WEIGHT)
    reasons.append(_("Usually busy then"))
    return 0.0


def score(need: NeedSpec, candidate: Candidate) -> Suggestion:
    reasons: list[str] = []
    total = _skill_part(need, candidate, reasons)
    near, steps = _near_part(need, candidate, reasons)
    total += near + _rating_part(candidate, reasons) + _record_part(candidate, reasons)
    total += _availability_part(need, candidate, reasons)
    return Suggestion(candidate, round(total, 1), steps, reasons)


def rank(need: NeedSpec, candidates: list[Candidate], shown: int = SHOWN) -> Ranked:
    """The best `shown` candidates, highest score first (then nearer, then by name), and those excluded."""
    suggestions: list[Suggestion] = []
    excluded: list[Suggestion] = []
    for candidate in candidates:
        gaps = certificate_gaps(need, candidate)
        if gaps:
            excluded.append(Suggestion(candidate, 0.0, steps_up(need.place_path, candidate.home_path), gaps))
        else:
            suggestions.append(score(need, candidate))
    suggestions.sort(key=lambda s: (-s.score, s.steps, s.name, getattr(s.volunteer, "pk", 0) or 0))
    excluded.sort(key=lambda s: (s.steps, s.name))
    return Ranked(suggestions[:shown], excluded[:shown])


# Reading the candidates: a fixed number of queries whatever the number of volunteers (see the tests).


def _area(lineage: list[Any]) -> str:
    """The subtree searched: the street around the need's place, or the place itself at a street or above."""
    streets = [p.path for p in lineage if p.level == PlaceLevel.STREET]
    return streets[-1] if streets else lineage[-1].path


def suggest(
    user: Any,
    place: Any,
    skills: list[Any],
    *,
    certificates: list[str] | None = None,
    starts_at: datetime.datetime | None = None,
    activity: Any = None,
    shown: int = SHOWN,
) -> Ranked:
    """Volunteers the user reads, ranked for a need at `place` wanting `skills` (Skill rows)."""
    from . import queries

    lineage = place.lineage()
    need = NeedSpec(
        place_path=place.path,
        places={p.path: p for p in lineage},
        skills={s.pk: s.name for s in skills},
        certificates=list(certificates or []),
        starts_at=starts_at,
        day=timezone.localtime(starts_at).date() if starts_at else timezone.localdate(),
    )
    pool = queries.match_pool(user, _area(lineage), list(need.skills), need.certificates, activity)
    records = queries.attendance_records(user, [v.pk for v in pool])
    ratings = queries.project_ratings(user, [v.user_id for v in pool if v.user_id])
    candidates = []
    for v in pool:
        # A sensitive record's house is not shown even as a reason: its community stands in for it.
        person = v.person
        home = person.place if person is not None and not person.is_sensitive else v.community
        held: dict[str, list[datetime.date | None]] = {}
        for c in getattr(v, "required_certificates", []):
            held.setdefault(c.kind, []).append(c.expires_on)
        done, missed, minutes = records.get(v.pk, (0, 0, 0))
        candidates.append(
            Candidate(
                volunteer=v,
                name=queries.shown_name(user, v),
                home_path=home.path,
                skill_ids=frozenset(s.pk for s in v.skills.all()),
                certificates=held,
                availability=[str(a) for a in (v.availability or [])],
                record=Record(done, missed, minutes),
                rating=ratings.get(v.user_id) if v.user_id else None,
            )
        )
    return rank(need, candidates, shown)


def suggest_for_activity(user: Any, activity: Any, shown: int = SHOWN) -> Ranked:
    return suggest(
        user,
        activity.place,
        list(activity.skills.all()),
        certificates=activity.certificate_list,
        starts_at=activity.starts_at,
        activity=activity,
        shown=shown,
    )
