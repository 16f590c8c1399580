"""Every read of the assessment pages. Figures come from the day rows (linli.assessment.indicators), never
from the cases; the cases behind a figure are read through `Case.objects.restrict(user, "view")`, so a
figure may count cases its viewer does not see (the count is the unit's; the list is the viewer's)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from linli.cases.models import Case
from linli.orgs.models import Unit

from .indicators import Figures, unit_figures
from .models import COUNTERS, Scheme
from .scoping import figure_units, ranked_units

INDEX_LIMIT = 500
CASE_LIST_DEFER = ("reporter_name", "reporter_phone", "body", "answer", "rating_comment")


def scheme_in_force(day: datetime.date) -> Scheme | None:
    """The scheme row `indicators.scheme_on` reads for `day` (None: the built-in default)."""
    return Scheme.objects.filter(valid_from__lte=day).order_by("-valid_from", "-pk").first()


def figures_of(unit: Unit, start: datetime.date, end: datetime.date, category: str = "") -> Figures:
    return unit_figures([unit.pk], start, end, category=category or None)[unit.pk]


def cases_behind(
    user: Any, unit: Unit, start: datetime.date, end: datetime.date, counter: str, category: str = ""
) -> QuerySet[Case]:
    """The cases whose facts add to `counter` of the unit's days start..end: a fact's counts hold only the
    counters it adds to, so "has the key" is "counted". Only cases the user may read."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    qs = Case.objects.restrict(user, "view").filter(
        fact__unit=unit, fact__day__gte=start, fact__day__lte=end, fact__contribution__counts__has_key=counter
    )
    if category:
        qs = qs.filter(fact__category=category)
    return qs.select_related("place", "fact").defer(*CASE_LIST_DEFER, "fact__state")


@dataclass
class RankRow:
    unit: Unit
    figures: Figures
    rank: int | None = None  # None: no rate to rank by (no cases, no ratings)
    readable: bool = False  # the viewer may open the unit's own page

    @property
    def composite(self) -> float | None:
        value = self.figures.composite
        return None if value is None else round(value, 6)


def ranking(
    user: Any, area_path: str, group: str, start: datetime.date, end: datetime.date, category: str = ""
) -> list[RankRow]:
    """The peer group within the area ranked by the composite, ties by volume: one aggregate query over the
    day rows of all its units. A unit wound up stays in while it has cases in the period."""
    units = list(ranked_units(area_path, group).only("pk", "name", "code", "kind", "is_active").order_by("code"))
    figures = unit_figures([u.pk for u in units], start, end, category=category or None)
    rows = [RankRow(u, figures[u.pk]) for u in units if u.is_active or figures[u.pk].volume]
    rows.sort(key=lambda r: (r.composite is None, -(r.composite or 0.0), -r.figures.volume, r.unit.code))
    previous: tuple[float, int] | None = None
    for position, row in enumerate(rows, start=1):
        if row.composite is None:
            break
        key = (row.composite, row.figures.volume)
        row.rank = rows[position - 2].rank if key == previous else position
        previous = key
    readable = set(figure_units(user).filter(pk__in=[r.unit.pk for r in rows]).values_list("pk", flat=True))
    for row in rows:
        row.readable = row.unit.pk in readable
    return rows


def units_by_kind(user: Any) -> list[tuple[str, list[Unit]]]:
    """The units whose figures the user reads, grouped by kind (the assessment index)."""
    units = figure_units(user).only("pk", "name", "code", "kind").order_by("kind", "code")[:INDEX_LIMIT]
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.get_kind_display(), []).append(unit)
    return list(groups.items())
