"""Matters learned from people's corrections: when no keyword of the responsibility list names a matter,
the corrected cases most like the text may (DESIGN §5: every correction by a dispatcher is training data).

The seven-class model says which broad class a text is in; this says which line of the city's own list,
from the texts people routed by hand. A small character-bigram TF-IDF index over the corrected examples
that carry a matter, rebuilt when they change (checked at most once a minute), nearest neighbours by
cosine; a matter is proposed only when enough close neighbours agree.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Max

from .models import TrainingExample

_lock = threading.Lock()
_cache: dict[str, Any] = {}


@dataclass(frozen=True)
class LearnedMatter:
    matter_id: int
    similarity: float
    votes: int


def _index() -> Any:
    rows = TrainingExample.objects.filter(matter__isnull=False, matter__is_active=True)
    stamp = rows.aggregate(n=Count("id"), top=Max("id"))
    version = (stamp["n"], stamp["top"], int(time.monotonic() // 60))
    if _cache.get("version") == version:
        return _cache["index"]
    with _lock:
        data = list(rows.values_list("title", "body", "matter_id", "label"))
        index = None
        if len(data) >= 2:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, max_features=50000)
            matrix = vectorizer.fit_transform([f"{t} {b}"[:2000] for t, b, _m, _l in data])
            index = (vectorizer, matrix, [m for _t, _b, m, _l in data], [label for _t, _b, _m, label in data])
        _cache.update(version=version, index=index)
        return index


def forget() -> None:
    _cache.clear()


def learned_matter(text: str, category: str = "", k: int = 5) -> LearnedMatter | None:
    index = _index()
    if index is None or not text.strip():
        return None
    vectorizer, matrix, matters, labels = index
    scores = (matrix @ vectorizer.transform([text[:2000]]).T).toarray().ravel()
    ranked = [i for i in scores.argsort()[::-1][:k] if scores[i] >= settings.DISPATCH_MATTER_SIMILARITY]
    if category:
        ranked = [i for i in ranked if labels[i] == category]
    if not ranked:
        return None
    votes: dict[int, list[float]] = {}
    for i in ranked:
        votes.setdefault(matters[i], []).append(float(scores[i]))
    matter_id, sims = max(votes.items(), key=lambda kv: (len(kv[1]), max(kv[1])))
    if len(sims) < settings.DISPATCH_MATTER_MIN_VOTES:
        return None
    return LearnedMatter(matter_id, round(max(sims), 3), len(sims))
