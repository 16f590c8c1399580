"""Responsibility-list rules: the keywords each matter lists, found in a message's text."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from linli.orgs.models import Matter


@dataclass(frozen=True)
class RuleHit:
    matter_id: int
    code: str
    name: str
    category: str
    keywords: tuple[str, ...]

    @property
    def weight(self) -> float:
        # Longer phrases are more specific than short words: "电梯故障停运" says more than "电梯".
        return sum(len(k) for k in self.keywords)


_lock = threading.Lock()
_cache: tuple[tuple[object, ...], list[tuple[int, str, str, str, list[str]]]] | None = None


def _keyword_index() -> list[tuple[int, str, str, str, list[str]]]:
    global _cache
    agg = Matter.objects.filter(is_active=True).aggregate(n=Count("id"), top=Max("id"))
    # Keyword edits keep count and max id, so the index is also rebuilt at least once a minute.
    version = (agg["n"], agg["top"], int(time.monotonic() // 60))
    if _cache is not None and _cache[0] == version:
        return _cache[1]
    with _lock:
        rows = [
            (pk, code, name, category, [k for k in keywords if len(k) >= 2])
            for pk, code, name, category, keywords in Matter.objects.filter(is_active=True).values_list(
                "id", "code", "name", "category", "keywords"
            )
        ]
        _cache = (version, rows)
        return rows


def forget() -> None:
    global _cache
    _cache = None


def rule_hits(text: str) -> list[RuleHit]:
    """Matters whose keywords (or name) occur in the text, strongest first."""
    hits = []
    for pk, code, name, category, keywords in _keyword_index():
        found = tuple(k for k in {*keywords, name} if k and k in text)
        if found:
            hits.append(RuleHit(pk, code, name, category, found))
    return sorted(hits, key=lambda h: (-h.weight, h.code))
