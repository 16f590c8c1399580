"""Forecasts of demand (DESIGN §6): the next weeks' requests per class, with their error on the past.

Weekly counts are the day rows' "cases" (requests first dispatched that week, neither invalid nor merged)
summed by ISO week over the area, for the HISTORY_WEEKS complete weeks before the current one. Three
transparent models compete for each class:

- average: the mean of the last 4 weeks, carried forward flat;
- trend: the least-squares line through the last 12 weeks, carried forward (never below zero);
- blend: the mean of the two.

Each is backtested on the last BACKTEST_WEEKS weeks: from every one of those weeks as an origin, it is fitted
on the weeks before and predicts up to HORIZON weeks ahead (within the backtest span), and its errors are
averaged (MAE, and MAPE over the weeks that had requests). A class is forecast with the model whose MAE was
smallest, and the page shows that model's name and errors beside the class.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dashboards import Area, class_label, stat_rows

HISTORY_WEEKS = 52
BACKTEST_WEEKS = 8
HORIZON = 4
TOP_CLASSES = 8
SHOWN_WEEKS = 26  # of history on the chart


def average(history: Sequence[float], steps: int) -> list[float]:
    recent = history[-4:]
    level = float(np.mean(recent)) if len(recent) else 0.0
    return [level] * steps


def trend(history: Sequence[float], steps: int) -> list[float]:
    recent = np.asarray(history[-12:], dtype=float)
    if len(recent) < 3:
        return average(history, steps)
    x = np.arange(len(recent), dtype=float)
    slope, intercept = np.polyfit(x, recent, 1)
    ahead = np.arange(len(recent), len(recent) + steps, dtype=float)
    return [max(float(v), 0.0) for v in slope * ahead + intercept]


def blend(history: Sequence[float], steps: int) -> list[float]:
    return [(a + b) / 2 for a, b in zip(average(history, steps), trend(history, steps), strict=True)]


MODELS: dict[str, tuple[Any, Callable[[Sequence[float], int], list[float]]]] = {
    "average": (_("average of the last 4 weeks"), average),
    "trend": (_("linear trend of the last 12 weeks"), trend),
    "blend": (_("mean of the average and the trend"), blend),
}


@dataclass(frozen=True)
class Backtest:
    mae: float | None
    mape: float | None
    pairs: int  # (origin, week) predictions compared


def backtest(series: Sequence[float], model: Callable[[Sequence[float], int], list[float]]) -> Backtest:
    n = len(series)
    errors: list[float] = []
    relative: list[float] = []
    for origin in range(max(n - BACKTEST_WEEKS, 1), n):
        steps = min(HORIZON, n - origin)
        predicted = model(series[:origin], steps)
        for actual, guess in zip(series[origin : origin + steps], predicted, strict=True):
            errors.append(abs(actual - guess))
            if actual > 0:
                relative.append(abs(actual - guess) / actual)
    return Backtest(
        mae=float(np.mean(errors)) if errors else None,
        mape=float(np.mean(relative)) if relative else None,
        pairs=len(errors),
    )


@dataclass
class ClassForecast:
    category: str
    label: str
    history: list[int]
    forecast: list[float]
    model: str
    model_label: Any
    error: Backtest
    volume: int


@dataclass
class Forecast:
    weeks: list[datetime.date]  # the history's Mondays
    ahead: list[datetime.date]  # the forecast's Mondays (the current week first)
    classes: list[ClassForecast]


def weekly_counts(
    user: Any, area: Area, today: datetime.date | None = None
) -> tuple[list[datetime.date], dict[str, list[int]]]:
    today = today or timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    first = this_monday - datetime.timedelta(weeks=HISTORY_WEEKS)
    weeks = [first + datetime.timedelta(weeks=i) for i in range(HISTORY_WEEKS)]
    index = {monday: i for i, monday in enumerate(weeks)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * HISTORY_WEEKS)
    rows: Any = (
        stat_rows(user, area, first, this_monday - datetime.timedelta(days=1))
        .values("day", "category")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    for row in rows:
        monday = row["day"] - datetime.timedelta(days=row["day"].weekday())
        counts[row["category"] or ""][index[monday]] += int(row["n"] or 0)
    return weeks, dict(counts)


def forecast(user: Any, area: Area, today: datetime.date | None = None) -> Forecast:
    weeks, counts = weekly_counts(user, area, today)
    ahead_start = weeks[-1] + datetime.timedelta(weeks=1)
    ahead = [ahead_start + datetime.timedelta(weeks=i) for i in range(HORIZON)]
    top = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))[:TOP_CLASSES]
    classes = []
    for category, series in top:
        if not sum(series):
            continue
        history = [float(v) for v in series]
        tried = {key: backtest(history, fn) for key, (_label, fn) in MODELS.items()}
        best = min(tried, key=lambda k: (tried[k].mae if tried[k].mae is not None else float("inf"), k))
        label, fn = MODELS[best]
        classes.append(
            ClassForecast(
                category=category,
                label=class_label(category),
                history=series,
                forecast=[round(v, 1) for v in fn(history, HORIZON)],
                model=best,
                model_label=label,
                error=tried[best],
                volume=sum(series),
            )
        )
    return Forecast(weeks=weeks, ahead=ahead, classes=classes)


def chart_data(result: Forecast) -> dict[str, Any]:
    """What dashboard.js draws: the last SHOWN_WEEKS weeks of history and the forecast, one line each per
    class (the forecast starting from the last week seen, so the two lines join)."""
    shown = result.weeks[-SHOWN_WEEKS:]
    axis = [d.isoformat() for d in [*shown, *result.ahead]]
    lines = []
    for c in result.classes:
        past = c.history[-SHOWN_WEEKS:]
        lines.append(
            {
                "label": c.label,
                "history": [*past, *([None] * len(result.ahead))],
                "forecast": [*([None] * (len(past) - 1)), past[-1], *c.forecast],
            }
        )
    return {"weeks": axis, "lines": lines}
