"""Reads for care visits (关爱走访): who is due, where they live, how many are late in each grid.

Every list starts from `Person.objects.restrict(user, "view")`, so a grid worker sees the people of their
grids and nobody else. "Due" and "overdue" read the indexed `next_visit_due` column the visit clock keeps
(linli.people.actions.care), never the tags one by one. What a row shows of a person goes through
linli.people.presenting: the name as is unless the record is sensitive, the phone always masked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import SEGMENT_WIDTH, Place, subtree_q
from linli.places.queries import places_for

from .models import CareTag, Person
from .presenting import masked

DUE_SOON_DAYS = 7  # "due this week": from today to six days on
DUE_FILTERS = ("all", "overdue", "week")
HOME_TOP = 5
MAP_LIMIT = 500
MAP_GRIDS = 50
GRID_RANK = LEVEL_RANK[PlaceLevel.GRID]


def person_path(pk: int) -> str:
    # The person card belongs to the registry pages; linked by path so these pages stand on their own.
    return f"/people/{pk}/"


def tags_in_force(day: datetime.date) -> QuerySet[CareTag]:
    return CareTag.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def care_people(
    user: Any, *, due: str = "all", tag: str = "", grid: Place | None = None, day: datetime.date | None = None
) -> QuerySet[Person]:
    """The people on a visit clock (or carrying a tag in force) whom the user may read, soonest due first."""
    today = day or timezone.localdate()
    people = Person.objects.restrict(user, "view").current()
    if due == "overdue":
        people = people.filter(next_visit_due__lt=today)
    elif due == "week":
        people = people.filter(next_visit_due__gte=today, next_visit_due__lt=today + datetime.timedelta(DUE_SOON_DAYS))
    else:
        in_force = tags_in_force(today).filter(person=OuterRef("pk"))
        people = people.filter(Q(next_visit_due__isnull=False) | Exists(in_force))
    if tag:
        people = people.filter(Exists(tags_in_force(today).filter(person=OuterRef("pk"), tag=tag)))
    if grid is not None:
        people = people.filter(subtree_q(grid.path, field="place__path"))
    return (
        people.select_related("place")
        .prefetch_related(Prefetch("care_tags", queryset=tags_in_force(today).order_by("tag"), to_attr="tags_now"))
        .order_by(F("next_visit_due").asc(nulls_last=True), "name", "pk")
    )


def care_person(user: Any, pk: int, *, current: bool = True) -> Person | None:
    """One person the user may read, ready for `care_rows` (a person who left keeps their history page)."""
    people = Person.objects.restrict(user, "view")
    if current:
        people = people.current()
    today = timezone.localdate()
    tags = Prefetch("care_tags", queryset=tags_in_force(today).order_by("tag"), to_attr="tags_now")
    return people.select_related("place").prefetch_related(tags).filter(pk=pk).first()


@dataclass
class CareRow:
    """One person as the visit pages show them."""

    person: Person
    name: str
    phone: str
    house: str
    tags: list[str]
    due: datetime.date | None
    overdue: bool
    due_soon: bool
    point: tuple[float, float] | None = None  # (lat, lon) of the house or its nearest placed ancestor
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def pk(self) -> int:
        return int(self.person.pk)


def lineages(places: list[Place]) -> dict[int, list[Place]]:
    """Each place with its ancestors, root first, in one query (the names are read as the place's context)."""
    wanted = {a for p in places for a in p.ancestor_ids} - {p.pk for p in places}
    known = {p.pk: p for p in places}
    if wanted:
        fields = ("id", "name", "level", "depth", "path", "longitude", "latitude")
        known.update({p.pk: p for p in Place.objects.filter(pk__in=sorted(wanted)).only(*fields)})
    return {p.pk: [known[i] for i in p.ancestor_ids if i in known] + [p] for p in places}


def house_label(lineage: list[Place]) -> str:
    """小区 楼 单元 室: the names below the grid; the place's own name when the person is placed higher."""
    below = [p.name for p in lineage if LEVEL_RANK.get(p.level, 0) > GRID_RANK]
    return " ".join(below) if below else lineage[-1].name


def nearest_point(lineage: list[Place]) -> tuple[float, float] | None:
    for place in reversed(lineage):
        if place.latitude is not None and place.longitude is not None:
            return (place.latitude, place.longitude)
    return None


def care_rows(people: list[Person], day: datetime.date | None = None) -> list[CareRow]:
    """Rows for people from `care_people` (their places joined, their tags prefetched): one more query."""
    from django.urls import reverse

    today = day or timezone.localdate()
    soon = today + datetime.timedelta(DUE_SOON_DAYS)
    lines = lineages(list({p.place_id: p.place for p in people}.values()))
    rows = []
    for person in people:
        lineage = lines[person.place_id]
        due = person.next_visit_due
        rows.append(
            CareRow(
                person=person,
                name=masked(person, "name"),
                phone=masked(person, "phone"),
                house=house_label(lineage),
                tags=[t.get_tag_display() for t in getattr(person, "tags_now", [])],
                due=due,
                overdue=due is not None and due < today,
                due_soon=due is not None and today <= due < soon,
                point=nearest_point(lineage),
                urls={
                    "visit": reverse("people:care_visit", args=[person.pk]),
                    "history": reverse("people:care_history", args=[person.pk]),
                    "card": person_path(person.pk),
                },
            )
        )
    return rows


def due_counts(user: Any, day: datetime.date | None = None) -> dict[str, int]:
    """How many of the user's people are overdue, and how many fall due within the week: one query."""
    today = day or timezone.localdate()
    soon = today + datetime.timedelta(DUE_SOON_DAYS)
    counted = (
        Person.objects.restrict(user, "view")
        .current()
        .filter(next_visit_due__lt=soon)
        .aggregate(
            overdue=Count("pk", filter=Q(next_visit_due__lt=today)),
            week=Count("pk", filter=Q(next_visit_due__gte=today)),
        )
    )
    return {"overdue": counted["overdue"] or 0, "week": counted["week"] or 0}


@dataclass
class GridCount:
    grid: Place | None  # None: people placed above any grid (at the community, no house known)
    overdue: int = 0
    week: int = 0


def due_by_grid(user: Any, day: datetime.date | None = None) -> tuple[list[GridCount], dict[str, int]]:
    """Overdue and due-this-week counts per grid of the user's scope, and in all, grouped in SQL on the grid's
    part of the person's place path (one query per depth at which grids sit, which is one in any real tree).
    People placed above any grid are counted in a last row without a grid."""
    today = day or timezone.localdate()
    soon = today + datetime.timedelta(DUE_SOON_DAYS)
    grids = sorted(
        places_for(user).filter(level=PlaceLevel.GRID).only("id", "name", "code", "path", "depth"),
        key=lambda g: g.code,
    )
    due = Person.objects.restrict(user, "view").current().filter(next_visit_due__lt=soon)
    counts = {g.path: GridCount(g) for g in grids}
    total = {"overdue": 0, "week": 0}
    for n, depth in enumerate(sorted({g.depth for g in grids}) or [0]):
        rows = (
            due.annotate(grid_path=Substr("place__path", 1, (depth + 1) * SEGMENT_WIDTH))
            .values("grid_path")
            .annotate(
                overdue=Count("pk", filter=Q(next_visit_due__lt=today)),
                week=Count("pk", filter=Q(next_visit_due__gte=today)),
            )
            .order_by()
        )
        for row in rows:
            if n == 0:  # every person falls in exactly one group of each pass: count them once
                total["overdue"] += row["overdue"]
                total["week"] += row["week"]
            if (target := counts.get(row["grid_path"])) is not None:
                target.overdue, target.week = row["overdue"], row["week"]
    listed = list(counts.values())
    elsewhere = GridCount(
        None,
        overdue=total["overdue"] - sum(c.overdue for c in listed),
        week=total["week"] - sum(c.week for c in listed),
    )
    return ([*listed, elsewhere] if elsewhere.overdue or elsewhere.week else listed), total


def home_summary(user: Any, *, by_grid: bool) -> dict[str, Any]:
    """The home page's card: the counts, the few most overdue people, and (community staff) each grid."""
    summary: dict[str, Any] = {}
    if by_grid:
        summary["grids"], counts = due_by_grid(user)
    else:
        counts = due_counts(user)
    summary.update(counts)
    if counts["overdue"]:
        summary["top"] = care_rows(list(care_people(user, due="overdue")[:HOME_TOP]))
    return summary


def map_data(user: Any, rows: list[CareRow], grid: Place | None) -> dict[str, Any]:
    """What care-map.js draws: the grid outlines, and one marker per position with the people there."""
    grids = [grid] if grid is not None else list(places_for(user).filter(level=PlaceLevel.GRID)[:MAP_GRIDS])
    points: dict[tuple[float, float], dict[str, Any]] = {}
    for row in rows:
        if row.point is None:
            continue
        spot = points.setdefault(row.point, {"lat": row.point[0], "lon": row.point[1], "overdue": False, "people": []})
        spot["overdue"] = spot["overdue"] or row.overdue
        spot["people"].append(
            {
                "name": row.name,
                "house": row.house,
                "due": row.due.isoformat() if row.due else "",
                "overdue": row.overdue,
                "url": row.urls["visit"],
            }
        )
    return {
        "grids": [{"name": g.name, "geometry": g.geometry} for g in grids if g.geometry],
        "points": list(points.values()),
        "unplaced": sum(1 for r in rows if r.point is None),
    }
