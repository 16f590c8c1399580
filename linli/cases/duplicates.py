"""Duplicate candidates for a request (DESIGN §4, merge): the same problem reported again, at the same place,
about the same matter, within days. Used by the case page's merge form and by intake (the hotline operator
sees them while typing).

Chinese text has no spaces, so words are not tokens here: two texts are compared by the Jaccard index of
their character bigrams, which catches "小区门口垃圾堆放" against "门口垃圾堆放多日" without a segmenter and
costs microseconds per pair. The candidates are few (one grid, one matter, a few days), read through the
user's own scope, so a person is never offered a case they may not see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.utils import timezone

from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import subtree_q

from .choices import CaseState
from .models import Case

# How many recent cases of the subtree are scored at most: the newest, since duplicates are close in time.
POOL = 300
# Below this similarity a case is not offered as a duplicate.
MIN_SCORE = 0.12
# States a duplicate may join (the merge action refuses the others as primaries).
OPEN_TARGETS = (
    CaseState.SUBMITTED,
    CaseState.DISPATCHED,
    CaseState.ACCEPTED,
    CaseState.RETURNED,
    CaseState.SUSPENDED,
    CaseState.RESOLVED,
    CaseState.VERIFIED,
)


@dataclass(frozen=True)
class Candidate:
    case: Case
    score: float  # 0..1, character-bigram Jaccard of title and body


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the text's letters and digits (punctuation and spaces dropped)."""
    chars = [c for c in (text or "").lower() if c.isalnum()]
    if len(chars) < 2:
        return frozenset(chars)
    return frozenset(a + b for a, b in pairwise(chars))


def similarity(a: str, b: str) -> float:
    return jaccard(bigrams(a), bigrams(b))


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    """`similarity` on bigram sets already made: callers comparing many texts make each set once."""
    if not left or not right:
        return 0.0
    common = len(left & right)
    return common / (len(left) + len(right) - common)  # the union's size, without building it


def neighbourhood(place: Any) -> Any:
    """The subtree duplicates are looked for in: the place's grid (a building's neighbours report the same
    broken lamp), or the place itself when it is a grid or coarser."""
    if place is None or LEVEL_RANK[place.level] <= LEVEL_RANK[PlaceLevel.GRID]:
        return place
    return place.ancestor_at(PlaceLevel.GRID) or place


def duplicate_candidates(
    case_or_text: Case | str, place: Any, matter: Any, user: Any, limit: int = 5
) -> list[Candidate]:
    """Open cases the user may read, in the same grid (or place) subtree and of the same matter (when the
    matter is known), submitted within settings.CASE_DUPLICATE_DAYS, most similar first.

    `case_or_text` is the case looked at (it is never its own candidate, and its place and matter are used
    when `place` and `matter` are None) or the text of a request still being typed."""
    exclude_pk = None
    if isinstance(case_or_text, Case):
        text = f"{case_or_text.title}\n{case_or_text.body}"
        exclude_pk = case_or_text.pk
        place = place if place is not None else case_or_text.place
        matter = matter if matter is not None else case_or_text.matter
        since = case_or_text.created_at - datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS)
    else:
        text = case_or_text or ""
        since = timezone.now() - datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS)
    area = neighbourhood(place)
    if area is None or not bigrams(text):
        return []
    qs = (
        Case.objects.restrict(user, "view")
        .filter(subtree_q(area.path, field="place__path"), state__in=OPEN_TARGETS, created_at__gte=since)
        .select_related("place", "matter", "lead_unit")
        .defer("reporter_name", "reporter_phone", "answer", "rating_comment")
    )
    if matter is not None:
        qs = qs.filter(matter=matter)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    scored = [Candidate(c, similarity(text, f"{c.title}\n{c.body}")) for c in qs.order_by("-id")[:POOL]]
    scored = [c for c in scored if c.score >= MIN_SCORE]
    scored.sort(key=lambda c: (-c.score, -c.case.pk))
    return scored[:limit]
