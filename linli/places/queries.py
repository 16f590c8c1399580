"""Every read of places, starting from the caller's scope."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet
from rapidfuzz import fuzz, process

from .choices import LEVEL_RANK, PlaceLevel
from .geometry import contains
from .models import Place, PlaceQuerySet


def places_for(user: Any, action: str = "view") -> PlaceQuerySet:
    return Place.objects.restrict(user, action)


def top_places_for(user: Any) -> QuerySet[Place]:
    """The highest places a user can see: the roots of their scope, for a tree to open from."""
    visible = places_for(user)
    shallowest = visible.order_by("depth").values_list("depth", flat=True).first()
    if shallowest is None:
        return visible
    return visible.filter(depth=shallowest)


def children_for(user: Any, place: Place) -> QuerySet[Place]:
    return places_for(user).filter(parent=place).order_by("code")


def under(place: Place, levels: tuple[str, ...] | None = None) -> QuerySet[Place]:
    qs = Place.objects.under(place)
    return qs.filter(level__in=levels) if levels else qs


def resolve_point(lon: float, lat: float, level: str = PlaceLevel.GRID, within: Place | None = None) -> Place | None:
    """The place of `level` whose polygon covers the point: an index range on the bounding boxes narrows
    the candidates, shapely decides."""
    candidates = Place.objects.filter(
        level=level, min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat, is_active=True
    ).only("id", "code", "name", "level", "path", "depth", "geometry", "parent_id")
    if within is not None:
        candidates = candidates.under(within)
    for place in candidates:
        if place.geometry and place.geometry.get("type") != "Point" and contains(place.geometry, lon, lat):
            return place
    return None


# ---------------------------------------------------------------------------------------------------
# Address text → place

SUFFIXES = (
    "社区居民委员会",
    "社区居委会",
    "居民委员会",
    "村民委员会",
    "居委会",
    "村委会",
    "街道办事处",
    "地区办事处",
    "办事处",
    "街道",
    "地区",
    "社区",
    "小区",
)
ADDRESS_TEXT_LIMIT = 3000
NUMBERS_WINDOW = 24
FUZZY_LEVELS = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID, PlaceLevel.ESTATE)
BUILDING_RE = re.compile(r"(\d{1,4})\s*(?:号楼|号院|栋|幢|座|号)")
UNIT_RE = re.compile(r"(\d{1,2})\s*(?:单元|门)")
HOUSE_RE = re.compile(r"(\d{3,4})\s*(?:室|号|户)?(?!\d)")


def name_variants(name: str) -> set[str]:
    variants = {name}
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            variants.add(name[: -len(suffix)])
    return variants


@dataclass
class _NameIndex:
    version: tuple[Any, ...]
    variants: dict[str, list[tuple[int, str, str, str]]]  # variant → [(id, level, path, name)]
    max_len: int
    estates: list[tuple[int, str, str]]  # (id, path, name) for the fuzzy fallback


_index_lock = threading.Lock()
_index: _NameIndex | None = None


def _version() -> tuple[Any, ...]:
    agg = Place.objects.aggregate(max_id=Max("id"), changed=Max("updated_at"))
    return (agg["max_id"], agg["changed"])


def _name_index() -> _NameIndex:
    global _index
    version = _version()
    if _index is not None and _index.version == version:
        return _index
    with _index_lock:
        variants: dict[str, list[tuple[int, str, str, str]]] = {}
        estates: list[tuple[int, str, str]] = []
        for pk, level, path, name in Place.objects.filter(level__in=FUZZY_LEVELS, is_active=True).values_list(
            "id", "level", "path", "name"
        ):
            for variant in name_variants(name):
                variants.setdefault(variant, []).append((pk, level, path, name))
            if level in (PlaceLevel.ESTATE, PlaceLevel.COMMUNITY):
                estates.append((pk, path, name))
        _index = _NameIndex(version, variants, max((len(v) for v in variants), default=0), estates)
        return _index


@dataclass
class AddressMatch:
    place: Place
    score: float
    matched: list[str] = field(default_factory=list)


def resolve_address(text: str, within: Place | None = None) -> AddressMatch | None:
    """Best place for a free-text address: exact name hits (with 社区/街道/居委会 suffixes optional) that
    agree with each other along one branch of the tree, then a fuzzy estate match, then building, unit
    and house numbers read under the estate."""
    text = re.sub(r"\s+", "", text or "")[:ADDRESS_TEXT_LIMIT]
    if not text:
        return None
    index = _name_index()
    hits: dict[int, tuple[str, str, str]] = {}  # id → (level, path, matched text)
    ends: dict[int, int] = {}  # id → where its name ends in the text, to read 3号楼 after it
    for start in range(len(text)):
        for length in range(min(index.max_len, len(text) - start), 1, -1):
            found = index.variants.get(text[start : start + length])
            if found:
                for pk, level, path, _name in found:
                    if within is None or path.startswith(within.path):
                        if pk not in hits:
                            hits[pk] = (level, path, text[start : start + length])
                            ends[pk] = start + length
    best: tuple[float, int, int] | None = None  # (rank, id, support)
    for pk, (level, path, matched) in hits.items():
        # Support = how many other hits are this place's ancestors: "东华门街道多福巷社区" confirms 多福巷
        # in 东华门 and not a namesake elsewhere.
        # The same words matching a community and its namesake estate are one piece of evidence, not two.
        support = sum(
            1
            for _other_level, other_path, other in hits.values()
            if other_path != path and path.startswith(other_path) and other not in matched and matched not in other
        )
        rank = support * 10 + LEVEL_RANK[level] + len(matched) / 10
        if best is None or rank > best[0]:
            best = (rank, pk, support)
    anchor_path = within.path if within is not None else ""
    anchor_id: int | None = None
    matched_terms: list[str] = []
    confidence = 0.0
    if best is not None:
        anchor_id, support = best[1], best[2]
        level, anchor_path, matched = hits[anchor_id]
        matched_terms = list(dict.fromkeys(m for _, p, m in hits.values() if anchor_path.startswith(p)))
        # A lone short name is weak evidence: 花园, 光明, 幸福 are community names and everyday words.
        confidence = 100.0 if support or len(matched) >= 4 else (75.0 if len(matched) == 3 else 60.0)
    # The fuzzy pass compares estate names with the text; on a long message it would find look-alikes
    # anywhere, so it runs only on address-length text or under an exact street/community hit.
    if (best is None or hits[best[1]][0] != PlaceLevel.ESTATE) and (anchor_path or len(text) <= 40):
        fuzzy = _fuzzy_estate(text, index, anchor_path)
        if fuzzy is not None and fuzzy[3] > confidence:
            anchor_id, anchor_path, name, score = fuzzy
            matched_terms.append(name)
            confidence = score if anchor_path and best is not None else score * 0.9
    if anchor_id is None:
        return None
    place = Place.objects.get(pk=anchor_id)
    # Numbers count only right after the estate's name: "小区3号楼2单元301", not a "2号" elsewhere.
    end = ends.get(anchor_id)
    if end is None and place.name in text:
        end = text.index(place.name) + len(place.name)
    place, numbers = _descend_numbers(place, text[end : end + NUMBERS_WINDOW] if end is not None else "")
    return AddressMatch(place=place, score=round(confidence, 1), matched=matched_terms + numbers)


def _fuzzy_estate(text: str, index: _NameIndex, anchor_path: str) -> tuple[int, str, str, float] | None:
    choices = {pk: name for pk, path, name in index.estates if path.startswith(anchor_path) and path != anchor_path}
    if not choices:
        return None
    result = process.extractOne(text, choices, scorer=fuzz.partial_ratio, score_cutoff=80)
    if result is None:
        return None
    name, score, pk = result
    path = next(p for i, p, _ in index.estates if i == pk)
    return pk, path, name, float(score)


def _descend_numbers(place: Place, text: str) -> tuple[Place, list[str]]:
    """Read 3号楼 2单元 301 under an estate; stop at the first number that does not match a child."""
    if place.level != PlaceLevel.ESTATE:
        return place, []
    found: list[str] = []
    steps = ((BUILDING_RE, "{}号楼"), (UNIT_RE, "{}单元"), (HOUSE_RE, "{}"))
    rest = text
    for pattern, template in steps:
        match = pattern.search(rest)
        if not match:
            break
        wanted = template.format(int(match.group(1)))
        child = Place.objects.filter(parent=place, name=wanted, is_active=True).first()
        if child is None:
            break
        place = child
        found.append(wanted)
        rest = rest[match.end() :]
    return place, found
