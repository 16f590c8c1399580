"""A street's or department's monthly assessment report, generated from the kept figures, never typed: the same
numbers on the page, in Excel and in the PDF (linli.assessment.report_files writes the two files).

What it holds for a unit and a month: every rate of linli.assessment.indicators.RATES with its numerator,
denominator and formula; the composite score and its rank among the unit's peers (streets with the street
offices of the same district, departments with the district departments of the same district, teams under a
department left out); the trend of the last six months; the classes with most cases; the overdue, returned and
reopened counts; the reverse-assessment results; and the month's overdue cases the reader may see.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.cases.models import Case
from linli.orgs.choices import MatterClass, UnitKind
from linli.orgs.models import Unit
from linli.places.choices import PlaceLevel
from linli.places.models import Place, subtree_q

from .indicators import Figures, Rate, by_day, scheme_on, unit_figures
from .models import COUNTERS, CaseFact, UnitDayStat
from .reverse import ReverseScore, reverse_scores

REPORT_KINDS = (UnitKind.STREET_OFFICE, UnitKind.DISTRICT_DEPARTMENT)
TREND_MONTHS = 6
TOP_CLASSES = 5
OVERDUE_SHOWN = 20
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> datetime.date | None:
    """ "2026-11" → 2026-11-01; anything else → None."""
    found = MONTH_RE.match(text or "")
    if not found:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    return datetime.date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def add_months(month: datetime.date, n: int) -> datetime.date:
    year, index = divmod(month.year * 12 + month.month - 1 + n, 12)
    return datetime.date(year, index + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    return add_months((today or timezone.localdate()).replace(day=1), -1)


@dataclass(frozen=True)
class TrendPoint:
    month: datetime.date
    figures: Figures


@dataclass(frozen=True)
class ClassRow:
    category: str
    label: str
    cases: int


@dataclass
class MonthReport:
    unit: Unit
    month: datetime.date
    end: datetime.date
    generated_at: datetime.datetime
    figures: Figures
    rank: int | None
    peers: int
    trend: list[TrendPoint]
    classes: list[ClassRow]
    reverse: ReverseScore
    overdue_cases: list[Case]
    overdue_seen: int  # the month's overdue cases the reader may see (the list shows the first OVERDUE_SHOWN)

    @property
    def rates(self) -> list[Rate]:
        return self.figures.rates()

    @property
    def composite(self) -> float | None:
        return self.figures.composite

    @property
    def composite_text(self) -> str:
        return percent(self.composite)

    @property
    def counts(self) -> dict[str, int]:
        return self.figures.counts

    @property
    def peer_label(self) -> str:
        return _("streets of the district") if self.unit.kind == UnitKind.STREET_OFFICE else _("district departments")

    @property
    def title(self) -> str:
        return _("%(unit)s · assessment report for %(month)s") % {
            "unit": self.unit.name,
            "month": f"{self.month:%Y-%m}",
        }


def district_of(unit: Unit) -> Place | None:
    """The district holding the unit's jurisdiction (its first place that has one)."""
    for place in unit.jurisdiction.order_by("depth", "pk"):
        found = place.ancestor_at(PlaceLevel.DISTRICT)
        if found is not None:
            return found
    return None


def peer_ids(unit: Unit) -> list[int]:
    """The unit and the active units of its kind in its district; a department's own teams are no peers."""
    peers = Unit.objects.filter(kind=unit.kind, is_active=True).exclude(parent__kind=unit.kind)
    district = district_of(unit)
    if district is not None:
        inside = Unit.objects.filter(subtree_q(district.path, field="jurisdiction__path")).values("pk")
        peers = peers.filter(pk__in=inside)
    return sorted({unit.pk, *peers.values_list("pk", flat=True)})


def rank_among(unit_id: int, figures: dict[int, Figures]) -> int | None:
    """1 + the peers with a strictly higher composite; None when the unit has no composite (nothing rated or
    dispatched); peers without one rank below everyone who has one."""
    own = figures[unit_id].composite
    if own is None:
        return None
    return 1 + sum(1 for f in figures.values() if f.composite is not None and f.composite > own)


def trend(unit: Unit, month: datetime.date) -> list[TrendPoint]:
    """The last TREND_MONTHS months up to `month`, from one query over their days."""
    first = add_months(month, 1 - TREND_MONTHS)
    days = by_day([unit.pk], first, month_end(month))
    weights = scheme_on(month_end(month))
    sums: dict[datetime.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for day, figures in days.items():
        bucket = sums[day.replace(day=1)]
        for name, value in figures.counts.items():
            bucket[name] += value
    return [
        TrendPoint(m, Figures(dict(sums[m]) if m in sums else dict.fromkeys(COUNTERS, 0), weights))
        for m in (add_months(first, n) for n in range(TREND_MONTHS))
    ]


def class_label(category: str) -> str:
    if not category:
        return _("Unclassified")
    return str(MatterClass(category).label) if category in MatterClass.values else category


def top_classes(unit: Unit, start: datetime.date, end: datetime.date) -> list[ClassRow]:
    rows = (
        UnitDayStat.objects.filter(unit=unit, day__gte=start, day__lte=end)
        .values("category")
        .annotate(n=Sum("cases"))
        .filter(n__gt=0)
        .order_by("-n", "category")[:TOP_CLASSES]
    )
    return [ClassRow(r["category"], class_label(r["category"]), int(r["n"])) for r in rows]


def overdue_cases(user: Any, unit: Unit, start: datetime.date, end: datetime.date) -> tuple[list[Case], int]:
    """The month's cases counted overdue for the unit, as far as the reader may see them."""
    behind = CaseFact.objects.filter(unit=unit, day__gte=start, day__lte=end, contribution__counts__overdue=1)
    seen = Case.objects.restrict(user).filter(pk__in=behind.values("case_id"))
    shown = list(seen.only("pk", "title", "created_at").order_by("pk")[:OVERDUE_SHOWN])
    total = len(shown) if len(shown) < OVERDUE_SHOWN else seen.count()
    return shown, total


def month_report(user: Any, unit: Unit, month: datetime.date) -> MonthReport:
    """Everything the report shows; the caller has checked `can_read_unit_report`."""
    end = month_end(month)
    peers = peer_ids(unit)
    figures = unit_figures(peers, month, end)
    cases, seen = overdue_cases(user, unit, month, end)
    return MonthReport(
        unit=unit,
        month=month,
        end=end,
        generated_at=timezone.localtime(),
        figures=figures[unit.pk],
        rank=rank_among(unit.pk, figures),
        peers=len(peers),
        trend=trend(unit, month),
        classes=top_classes(unit, month, end),
        reverse=reverse_scores([unit.pk], month, end, user=user)[unit.pk],
        overdue_cases=cases,
        overdue_seen=seen,
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float) -> str:
    """A count, or a weighted numerator such as 3.8 (satisfied + k × basically satisfied)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
