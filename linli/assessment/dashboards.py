"""Dashboards per level (DESIGN §6: 一屏通览, trends, categories, hotspots on the map, 每月一题, forecasts):
a district, a street or a community, read by the place roles that answer for it.

Every figure is a sum of the grid day rows (`PlaceDayStat`) under the area's path, read through the viewer's
scope, and becomes an `indicators.Figures`, so the tiles show the same rates, with the same formulas, as
every other assessment page. One grouped query (per grid and class over the period) gives the overview
tiles, the classes and the child areas of the map at once; the trend is one more query over a year of
days. Beside this module: the late cases (dashboards_cases, read from the cases themselves through
`Case.objects.restrict`), the recurring problems (dashboards_recurring), the forecast (dashboards_forecast)
and the Excel file (dashboards_export).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django import forms
from django.db.models import BigIntegerField, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from linli.accounts.predicates import DASHBOARD_READERS
from linli.accounts.scopes import keep, scope_of, under_any
from linli.orgs.choices import MatterClass
from linli.places.choices import PlaceLevel
from linli.places.models import SEGMENT_WIDTH, Place

from .indicators import Figures, Weights, scheme_on
from .models import COUNTERS, PlaceDayStat

# The levels a dashboard is drawn for, and what its map shows one level down.
DASHBOARD_LEVELS = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY)
# Places whose day rows may sum into an area: grids, and the places above any grid a case can be filed at.
STAT_LEVELS = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
PERIOD_KINDS = ("month", "quarter", "year")
PERIOD_LABELS = {"month": _("Month"), "quarter": _("Quarter"), "year": _("Year")}
# A custom range is bounded, so that a mistyped year cannot make the page sum decades.
MAX_DAYS = 3 * 366
# The overview tiles: the 三率 first, then the handling rates (indicators.RATES' keys).
TILE_RATES = ("response", "resolution", "satisfaction", "on_time", "overdue", "return", "reopen")
# The rates a map can be shaded by besides the volume.
MAP_RATES = ("response", "resolution", "satisfaction", "on_time", "overdue", "return", "reopen")
# Dates a period may start or end on: a mistyped year is refused rather than summed or overflowed.
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)


# --------------------------------------------------------------------------------------------------
# The period


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year, or custom (from and to given)
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def query(self) -> str:
        """The query string that names this period again (links between the dashboard's parts)."""
        params = {"period": self.kind if self.kind in PERIOD_KINDS else "month", "from": self.start.isoformat()}
        if self.kind == "custom":
            params["to"] = self.end.isoformat()
        return urlencode(params)

    def step(self, direction: int) -> Period | None:
        """The period before (-1) or after (+1) of the same kind; None for a custom range."""
        if self.kind == "custom":
            return None
        day = self.start - datetime.timedelta(days=1) if direction < 0 else self.end + datetime.timedelta(days=1)
        return period_of(self.kind, day)


def period_of(kind: str, day: datetime.date) -> Period:
    if kind == "year":
        return Period(kind, day.replace(month=1, day=1), day.replace(month=12, day=31))
    if kind == "quarter":
        first = 3 * ((day.month - 1) // 3) + 1
        last = first + 2
        return Period(kind, day.replace(month=first, day=1), day.replace(month=last, day=_month_days(day.year, last)))
    return Period("month", day.replace(day=1), day.replace(day=_month_days(day.year, day.month)))


def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


class PeriodForm(forms.Form):
    """?period=month|quarter|year&from=&to= : the period containing `from` (today by default), or the days
    from `from` to `to` when both are given."""

    period = forms.ChoiceField(label=_("Period"), choices=[(k, v) for k, v in PERIOD_LABELS.items()], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added by name.
        self.fields["from"] = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
        self.fields["to"] = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        for name in ("from", "to"):
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, _("Pick a day between 2000 and 2099"))
                return data
        if end and not start:
            self.add_error("from", _("Give the first day of the range too"))
        if start and end:
            if start > end:
                self.add_error("to", _("The last day is before the first day"))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("to", _("A range may cover at most three years"))
        return data

    def chosen(self, today: datetime.date) -> Period:
        """The period asked for; the current month when the form is empty or wrong (its errors are shown)."""
        if not self.is_bound or not self.is_valid():
            return period_of("month", today)
        data = self.cleaned_data
        kind = data.get("period") or "month"
        if data.get("from") and data.get("to"):
            asked = Period("custom", data["from"], data["to"])
            whole = period_of(kind, data["from"])
            return whole if (whole.start, whole.end) == (asked.start, asked.end) else asked
        return period_of(kind, data.get("from") or today)


# --------------------------------------------------------------------------------------------------
# The area and its reach


def dashboard_places(user: Any) -> QuerySet[Place]:
    """The places whose dashboard the user may open: in their scope (`restrict`) and under a grant of a
    role that reads dashboards (a department handler's work places are not an area they answer for)."""
    qs = Place.objects.restrict(user, "view").filter(level__in=DASHBOARD_LEVELS, is_active=True)
    scope = scope_of(user)
    if scope.everything:
        return qs
    return keep(qs, under_any(scope.paths(DASHBOARD_READERS), "path"))


def own_place_pk(user: Any, role: str | None) -> int | None:
    """The viewer's own area: the place of their grant in the current role (the highest, if several), else
    of any role that reads dashboards; a platform administrator starts at the first district."""
    scope = scope_of(user)
    grants = sorted(
        (g for g in scope.grants if g.role in DASHBOARD_READERS and g.place_path),
        key=lambda g: (g.role != role, len(g.place_path or ""), g.place_path),
    )
    if grants:
        return int((grants[0].place_path or "")[-SEGMENT_WIDTH:])
    if scope.everything:
        return Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("path").values_list("pk", flat=True).first()
    return None


@dataclass
class Area:
    place: Place
    children: list[Place]  # one level down: the map's areas
    below: list[Place]  # every administrative place and grid under the area (the places day rows are kept at)
    # stat place id → the child area it lies in (absent: rows filed at the area itself)
    child_of: dict[int, int] = field(default_factory=dict)

    @property
    def stat_place_ids(self) -> list[int]:
        return [self.place.pk, *(p.pk for p in self.below)]


def area_of(place: Place) -> Area:
    """The area's administrative places and grids, level by level down its tree (one query per level, on the
    parent index, without the shapes, which only the GeoJSON view reads), and which child each lies in.

    Walking down by parent reads the few hundred places that can hold day rows; a range on the path would
    pass every building and house of the area on its way."""
    below: list[Place] = []
    frontier = [place.pk]
    while frontier:
        found = list(
            Place.objects.filter(parent_id__in=frontier, level__in=STAT_LEVELS)
            .only("pk", "name", "code", "level", "path", "parent_id", "depth")
            .order_by("code")
        )
        below += found
        frontier = [p.pk for p in found if p.level != PlaceLevel.GRID]
    children = [p for p in below if p.parent_id == place.pk]
    by_path = {p.path: p.pk for p in children}
    width = len(place.path) + SEGMENT_WIDTH
    child_of = {p.pk: by_path[p.path[:width]] for p in below if p.path[:width] in by_path}
    return Area(place, children, below, child_of)


# --------------------------------------------------------------------------------------------------
# Figures


def stat_rows(user: Any, area: Area, start: datetime.date, end: datetime.date) -> QuerySet[PlaceDayStat]:
    """The area's day rows over start..end through the viewer's scope. The rows are picked by the ids of the
    places they are kept at (the area and its places down to the grids, `area_of`): a path range joined to
    the places would read every house of the area to find them."""
    return (
        PlaceDayStat.objects.restrict(user, "view")
        .filter(day__gte=start, day__lte=end)
        .filter(place_id__in=area.stat_place_ids)
    )


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


@dataclass
class Overview:
    total: Figures
    by_class: dict[str, Figures]  # class value ("" for none) → figures, the largest volume first
    by_child: dict[int, Figures]  # child place pk → figures (every child, zeros where nothing)
    weights: Weights


def _summed(qs: QuerySet[PlaceDayStat], keys: tuple[str, ...], names: tuple[str, ...]) -> Any:
    """Rows of (*keys, *sums): each sum cast back to bigint in SQL (PostgreSQL sums bigints as numeric, which
    would arrive as Decimal and cost a conversion per cell)."""
    sums = {f"sum_{n}": Cast(Sum(n), BigIntegerField()) for n in names}
    return qs.values(*keys).annotate(**sums).values_list(*keys, *sums).order_by()


def overview(user: Any, area: Area, period: Period) -> Overview:
    """The period's figures of the area, of each class and of each child area: one grouped query (a row per
    place and class, so at most a few thousand whatever the cases), folded with numpy."""
    weights = scheme_on(period.end)
    rows = list(_summed(stat_rows(user, area, period.start, period.end), ("place_id", "category"), COUNTERS))
    width = len(COUNTERS)
    matrix = np.array([row[2:] for row in rows], dtype=np.int64).reshape(len(rows), width)
    classes = sorted({row[1] or "" for row in rows})
    class_at = {key: i for i, key in enumerate(classes)}
    by_class = np.zeros((len(classes), width), dtype=np.int64)
    np.add.at(by_class, [class_at[row[1] or ""] for row in rows], matrix)
    child_at = {c.pk: i for i, c in enumerate(area.children)}
    by_child = np.zeros((len(area.children), width), dtype=np.int64)
    mine = [(i, child_at[area.child_of[row[0]]]) for i, row in enumerate(rows) if row[0] in area.child_of]
    if mine:
        np.add.at(by_child, [c for _i, c in mine], matrix[[i for i, _c in mine]])

    def figures(vector: Any) -> Figures:
        return Figures(dict(zip(COUNTERS, (int(v) for v in vector), strict=True)), weights)

    ranked = sorted(range(len(classes)), key=lambda i: (-int(by_class[i][0]), classes[i]))
    assert COUNTERS[0] == "cases"  # the ranking's column
    return Overview(
        total=figures(matrix.sum(axis=0) if rows else np.zeros(width)),
        by_class={classes[i]: figures(by_class[i]) for i in ranked},
        by_child={c.pk: figures(by_child[child_at[c.pk]]) for c in area.children},
        weights=weights,
    )


def class_label(value: str) -> str:
    if not value:
        return str(_("Unclassified"))
    labels = dict(MatterClass.choices)
    return str(labels.get(value, value))


def tiles(figures: Figures) -> list[dict[str, Any]]:
    """The overview's tiles: the figure as printed, numerator and denominator, and the formula under each."""
    out: list[dict[str, Any]] = [
        {
            "key": "volume",
            "label": _("Cases"),
            "value": figures.volume,
            "kind": "count",
            "formula": _("cases first dispatched in the period, neither invalid nor merged"),
        }
    ]
    for key in TILE_RATES:
        rate = figures.rate(key)
        out.append(
            {
                "key": key,
                "label": rate.label,
                "value": rate.value,
                "kind": "rate",
                "formula": rate.formula,
                "numerator": rate.numerator,
                "denominator": rate.denominator,
            }
        )
    out.append(
        {
            "key": "hours_to_resolve",
            "label": _("Average hours to resolve"),
            "value": figures.hours_to_resolve,
            "kind": "hours",
            "formula": _("hours from the first dispatch to the resolution ÷ cases resolved"),
        }
    )
    for tile in out:
        tile["shown"] = shown(tile["kind"], tile["value"])
    return out


def shown(kind: str, value: float | None) -> str:
    """A tile's figure as the page prints it: a count, a percentage or hours; a dash where nothing counts."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return f"{value:.1f}"
    return f"{value:,}"


def rates_of(figures: Figures) -> dict[str, float | None]:
    return {key: figures.rate(key).value for key in MAP_RATES}


def category_series(ov: Overview) -> list[dict[str, Any]]:
    return [
        {
            "class": key,
            "label": class_label(key),
            "volume": f.volume,
            "rated": f.counts["rated"],
            "satisfaction": f.rate("satisfaction").value,
        }
        for key, f in ov.by_class.items()
        if f.volume or f.counts["rated"]
    ]


# The trend: volume and the 三率 per ISO week over the year up to the period's end.
TREND_COUNTERS = ("cases", "contacted_in_time", "rated", "rated_resolved", "satisfied", "basic")


def trend_window(period: Period) -> tuple[datetime.date, datetime.date]:
    end = period.end
    start = end - datetime.timedelta(days=364)
    return start - datetime.timedelta(days=start.weekday()), end


def trend(user: Any, area: Area, period: Period) -> list[dict[str, Any]]:
    start, end = trend_window(period)
    weeks: dict[datetime.date, dict[str, int]] = {}
    monday = start
    while monday <= end:
        weeks[monday] = _zero()
        monday += datetime.timedelta(days=7)
    for day, *values in _summed(stat_rows(user, area, start, end), ("day",), TREND_COUNTERS):
        counts = weeks[day - datetime.timedelta(days=day.weekday())]
        for name, value in zip(TREND_COUNTERS, values, strict=True):
            counts[name] += value
    weights = scheme_on(end)
    out = []
    for monday, counts in weeks.items():
        figures = Figures(counts, weights)
        out.append(
            {
                "week": monday.isoformat(),
                "volume": figures.volume,
                **{key: figures.rate(key).value for key in ("response", "resolution", "satisfaction")},
            }
        )
    return out
