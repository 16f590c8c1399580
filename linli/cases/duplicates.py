"""Candidates for "this was reported already" (DESIGN §4, merge): open cases at the same street within
CASE_DUPLICATE_DAYS days, scored by how alike their words are, a little more when the matter is the same.

Read-only and scoped: candidates come from `Case.objects.restrict(user, "view")`, so a hotline operator or a
dispatcher is never shown a case they could not open. Chinese has no spaces between words, so both texts are
cut into words first (rjieba, the engine's fast segmenter) and compared word by word by rapidfuzz.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from rapidfuzz import fuzz

from linli.dispatch.textmodel.normalize import normalize_text
from linli.places.choices import PlaceLevel
from linli.places.models import subtree_q

from .choices import CaseState
from .models import Case

# Words shared by chance ("小区", "问题") give any two requests some 20–30 points; below this it is noise.
MIN_SCORE = 45.0
MATTER_BONUS = 15.0
# Candidates scored per call: the newest at the street. A street takes tens of requests a day, so a week
# of them fits; the index on (place, -id) serves the query.
SCAN_LIMIT = 300
CLOSED_STATES = (CaseState.CLOSED, CaseState.INVALID, CaseState.MERGED)


@dataclass(frozen=True)
class Candidate:
    case: Case
    score: float  # 0–100 (plus the matter bonus, capped at 100)


def _words(text: str) -> str:
    import rjieba

    return " ".join(w for w in rjieba.cut(normalize_text(text)) if w.strip())


def duplicate_candidates(text: str, place: Any, matter: Any, user: Any, limit: int = 5) -> list[Candidate]:
    if place is None or not (text or "").strip():
        return []
    street = place.ancestor_at(PlaceLevel.STREET) or place
    since = timezone.now() - datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS)
    rows = (
        Case.objects.restrict(user, "view")
        .filter(subtree_q(street.path, field="place__path"), created_at__gte=since)
        .exclude(state__in=CLOSED_STATES)
        .select_related("place", "matter")
        .order_by("-id")[:SCAN_LIMIT]
    )
    words = _words(text)
    scored: list[Candidate] = []
    for case in rows:
        other = _words(f"{case.title} {case.body}")
        # The set ratio alone gives 100 to any text whose words are a subset of the other's (one typed word
        # matches everything containing it); the sort ratio weighs what is not shared.
        score = (fuzz.token_set_ratio(words, other) + fuzz.token_sort_ratio(words, other)) / 2
        if matter is not None and case.matter_id == getattr(matter, "pk", None):
            score += MATTER_BONUS
        if score >= MIN_SCORE:
            scored.append(Candidate(case=case, score=round(min(score, 100.0), 1)))
    scored.sort(key=lambda c: (-c.score, -c.case.pk))
    return scored[:limit]
