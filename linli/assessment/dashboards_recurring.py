"""The period's recurring problems (每月一题 candidates, DESIGN §6): the same problem reported again and again
at one place about one matter.

The period's requests of the area (through the viewer's scope) are grouped by place and matter — by
community on a district's or a street's dashboard, by grid on a community's — and within a group each text
joins the first cluster whose first text it resembles: the character-bigram Jaccard index of
linli.cases.duplicates, at CLUSTER_SCORE or more. Clusters of two or more are ranked by size. Nothing is
stored: the work is bounded by MAX_TEXTS (the newest requests of the period) and each text's first
TEXT_CHARS characters, so the page answers in well under a second even for a district's year.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.choices import CaseState
from linli.cases.duplicates import bigrams, jaccard
from linli.cases.models import Case
from linli.core.masking import mask_in_text
from linli.places.choices import PlaceLevel
from linli.places.models import subtree_q

from .dashboards import Area, Period

MAX_TEXTS = 3000
TEXT_CHARS = 200
# Near-copies score far above this; unrelated requests about one matter rarely reach it (bigram Jaccard).
CLUSTER_SCORE = 0.2
TOP = 10
SAMPLES = 3
SAMPLE_CHARS = 80


@dataclass
class Cluster:
    place: str
    matter: str
    leader: frozenset[str]
    cases: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def latest(self) -> datetime.datetime:
        return max(c["created_at"] for c in self.cases)

    def samples(self) -> list[tuple[int, str]]:
        """A few of the cluster's requests, newest first: (case pk, masked text)."""
        return [(c["pk"], sample_text(c["title"], c["body"])) for c in self.cases[:SAMPLES]]


def sample_text(title: str, body: str) -> str:
    """A title and the start of the description, with personal numbers and e-mail addresses masked."""
    text = f"{title}：{body}" if body and body != title else title
    if len(text) > SAMPLE_CHARS:
        text = text[:SAMPLE_CHARS] + "…"
    return mask_in_text(text)


def _window(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def recurring(user: Any, area: Area, period: Period) -> list[Cluster]:
    place = area.place
    group_level = PlaceLevel.GRID if place.level == PlaceLevel.COMMUNITY else PlaceLevel.COMMUNITY
    groups_at = {p.path: p.name for p in area.below if p.level == group_level}
    widths = sorted({len(path) for path in groups_at})
    start, end = _window(period)
    rows = (
        Case.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="place__path"), created_at__gte=start, created_at__lt=end)
        .exclude(state=CaseState.INVALID)
        .order_by("-pk")
        .values("pk", "created_at", "title", "body", "place__path", "matter__name")[:MAX_TEXTS]
    )
    groups: dict[tuple[str, str], list[Cluster]] = defaultdict(list)
    made: dict[str, frozenset[str]] = {}
    row: Any
    for row in rows:
        path = row["place__path"]
        # A case filed above every group place (at the street itself, say) groups as the area.
        group_name = next((groups_at[path[:w]] for w in widths if path[:w] in groups_at), place.name)
        matter = row["matter__name"] or _("No matter")
        text = f"{row['title']}\n{row['body']}"[:TEXT_CHARS]
        grams = made.get(text) or made.setdefault(text, bigrams(text))  # a text sent again is cut up once
        clusters = groups[(group_name, matter)]
        home = next((c for c in clusters if jaccard(grams, c.leader) >= CLUSTER_SCORE), None)
        if home is None:
            home = Cluster(group_name, matter, grams)
            clusters.append(home)
        home.cases.append(row)
    found = [c for clusters in groups.values() for c in clusters if c.count >= 2]
    found.sort(key=lambda c: (-c.count, -c.latest.timestamp(), c.place, c.matter))
    return found[:TOP]
