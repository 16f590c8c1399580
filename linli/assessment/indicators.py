"""The rates of DESIGN §6 from summed day rows, each with its numerator, denominator and formula, so a page can
show the figure, why it is what it is, and link to the cases behind it.

Working definitions (each a ratio of counters in linli.assessment.models.COUNTERS):
- 响应率 response = contacted within the contact deadline ÷ cases dispatched to the unit;
- 解决率 resolution = rated "resolved" ÷ cases with a rating;
- 满意率 satisfaction = (satisfied + k × basically satisfied) ÷ cases with a rating, k from the scheme;
- on-time = resolved by the deadline ÷ cases; overdue, extension, return, reopen = such cases ÷ cases;
- dispatch accuracy = dispatches not found wrong by a review (a return upheld) ÷ dispatches;
- composite = w₁·响应率 + w₂·解决率 + w₃·满意率, weights from the scheme in force.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from .models import COUNTERS, PlaceDayStat, Scheme, UnitDayStat

DEFAULT_SCHEME = {
    "response": Decimal("0.30"),
    "resolution": Decimal("0.35"),
    "satisfaction": Decimal("0.35"),
    "basic": Decimal("0.8"),
}


@dataclass(frozen=True)
class Weights:
    response: Decimal
    resolution: Decimal
    satisfaction: Decimal
    basic: Decimal


def scheme_on(day: datetime.date) -> Weights:
    row = Scheme.objects.filter(valid_from__lte=day).order_by("-valid_from", "-pk").first()
    if row is None:
        return Weights(**DEFAULT_SCHEME)
    return Weights(row.weight_response, row.weight_resolution, row.weight_satisfaction, row.basic_factor)


@dataclass(frozen=True)
class Rate:
    key: str
    label: Any
    formula: Any
    numerator: float
    denominator: float

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator


RATES: tuple[tuple[str, Any, Any, str, str], ...] = (
    (
        "response",
        _("Response rate"),
        _("contacted within the contact deadline ÷ cases dispatched"),
        "contacted_in_time",
        "cases",
    ),
    ("resolution", _("Resolution rate"), _("rated “resolved” ÷ cases rated"), "rated_resolved", "rated"),
    ("satisfaction", _("Satisfaction rate"), _("(satisfied + k × basically satisfied) ÷ cases rated"), "", "rated"),
    ("on_time", _("On-time rate"), _("resolved by the deadline ÷ cases dispatched"), "resolved_on_time", "cases"),
    ("overdue", _("Overdue rate"), _("cases past the handling deadline ÷ cases dispatched"), "overdue", "cases"),
    ("extension", _("Extension rate"), _("cases given more time ÷ cases dispatched"), "extended", "cases"),
    ("return", _("Return rate"), _("cases returned by the unit ÷ cases dispatched"), "returned", "cases"),
    ("reopen", _("Reopen rate"), _("cases reopened after the rating ÷ cases dispatched"), "reopened", "cases"),
    ("accuracy", _("Dispatch accuracy"), _("dispatches not found wrong on review ÷ dispatches"), "", "dispatches"),
)


@dataclass
class Figures:
    counts: dict[str, int]
    weights: Weights

    def rate(self, key: str) -> Rate:
        _key, label, formula, num, den = next(r for r in RATES if r[0] == key)
        c = self.counts
        if key == "satisfaction":
            numerator = c["satisfied"] + float(self.weights.basic) * c["basic"]
        elif key == "accuracy":
            numerator = c["dispatches"] - c["misdispatches"]
        else:
            numerator = c[num]
        return Rate(key, label, formula, float(numerator), float(c[den]))

    def rates(self) -> list[Rate]:
        return [self.rate(key) for key, *_ in RATES]

    @property
    def volume(self) -> int:
        return self.counts["cases"]

    @property
    def hours_to_contact(self) -> float | None:
        c = self.counts
        return c["contact_seconds"] / c["contacted"] / 3600 if c["contacted"] else None

    @property
    def hours_to_resolve(self) -> float | None:
        c = self.counts
        return c["resolve_seconds"] / c["resolved"] / 3600 if c["resolved"] else None

    @property
    def composite(self) -> float | None:
        """w₁·响应率 + w₂·解决率 + w₃·满意率 over the rates that have a denominator (renormalised weights)."""
        parts = [
            (self.weights.response, self.rate("response").value),
            (self.weights.resolution, self.rate("resolution").value),
            (self.weights.satisfaction, self.rate("satisfaction").value),
        ]
        present = [(float(w), v) for w, v in parts if v is not None]
        total = sum(w for w, _v in present)
        return sum(w * v for w, v in present) / total if total else None


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


def _period(start: datetime.date, end: datetime.date) -> Q:
    return Q(day__gte=start, day__lte=end)


def unit_figures(
    unit_ids: Iterable[int] | None, start: datetime.date, end: datetime.date, *, category: str | None = None
) -> dict[int, Figures]:
    """Figures per unit over the days start..end (inclusive); every unit asked for, zeros where nothing."""
    rows = UnitDayStat.objects.filter(_period(start, end))
    wanted = list(unit_ids) if unit_ids is not None else None
    if wanted is not None:
        rows = rows.filter(unit_id__in=wanted)
    if category:
        rows = rows.filter(category=category)
    weights = scheme_on(end)
    out: dict[int, Figures] = {pk: Figures(_zero(), weights) for pk in wanted or []}
    sums: Any = rows.values("unit_id").annotate(**{name: Sum(name) for name in COUNTERS}).order_by()
    for row in sums:
        out[row["unit_id"]] = Figures({name: int(row[name] or 0) for name in COUNTERS}, weights)
    return out


def place_figures(
    place_paths: dict[int, str], start: datetime.date, end: datetime.date, *, category: str | None = None
) -> dict[int, Figures]:
    """Figures per place (each summing the grid rows under its path) over start..end."""
    from linli.places.models import subtree_q

    weights = scheme_on(end)
    out: dict[int, Figures] = {}
    for pk, path in place_paths.items():
        rows = PlaceDayStat.objects.filter(_period(start, end)).filter(subtree_q(path, field="place__path"))
        if category:
            rows = rows.filter(category=category)
        sums = rows.aggregate(**{name: Sum(name) for name in COUNTERS})
        out[pk] = Figures({name: int(sums[name] or 0) for name in COUNTERS}, weights)
    return out


def by_day(unit_ids: Iterable[int] | None, start: datetime.date, end: datetime.date) -> dict[datetime.date, Figures]:
    """A trend: figures per day (callers fold days into weeks or months)."""
    rows = UnitDayStat.objects.filter(_period(start, end))
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    weights = scheme_on(end)
    out: dict[datetime.date, Figures] = defaultdict(lambda: Figures(_zero(), weights))
    sums: Any = rows.values("day").annotate(**{name: Sum(name) for name in COUNTERS}).order_by("day")
    for row in sums:
        out[row["day"]] = Figures({name: int(row[name] or 0) for name in COUNTERS}, weights)
    return dict(out)
