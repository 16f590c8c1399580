"""When the bulk generator's requests come in (linli.cases.bulk): how many on each day and channel of the
period, drawn once for the whole period, and each day's requests drawn when the day comes.

The weights are the demo history's (linli.cases.demo_plans): each channel's share, the month's season
(summer storms and the heating months busier), rest days quieter (grid patrols hardly work then), each
channel's hours of the day; the Spring Festival holiday of the holiday table is quieter still.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from linli.worktime.choices import DayKind
from linli.worktime.clock import local, zone
from linli.worktime.models import CalendarDay

from .demo_clock import UTC
from .demo_plans import CHANNELS, DUPLICATE_SHARE, HOURS, SEASON, WEEKEND, Plan, Planner

FESTIVAL = 0.6  # the Spring Festival holiday, on top of being rest days: the city is away


@dataclass(frozen=True)
class Cell:
    """One channel on one day: its hours (hour, first and last second of it inside the period), their
    weights, and how many requests it gets."""

    day: datetime.date
    channel: str
    hours: tuple[tuple[int, float, float], ...]
    weights: tuple[float, ...]
    count: int = 0


def festival(years: set[int]) -> set[datetime.date]:
    """The Spring Festival holidays of these years as the holiday table has them, the eve and the weekend
    before included."""
    named = CalendarDay.objects.filter(date__year__in=years, kind=DayKind.HOLIDAY, name="春节")
    by_year: dict[int, list[datetime.date]] = {}
    for day in named.values_list("date", flat=True):
        by_year.setdefault(day.year, []).append(day)
    found: set[datetime.date] = set()
    for days in by_year.values():
        day = min(days) - datetime.timedelta(days=2)
        while day <= max(days):
            found.add(day)
            day += datetime.timedelta(days=1)
    return found


def _hours(day: datetime.date, start: datetime.datetime, end: datetime.datetime) -> list[tuple[int, float, float]]:
    found = []
    for hour in range(24):
        begin = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone())
        lo = max((start - begin).total_seconds(), 0.0)
        hi = min((end - begin).total_seconds(), 3600.0)
        if lo < hi:
            found.append((hour, lo, hi))
    return found


def cells(rng: random.Random, planner: Planner, start: datetime.datetime, end: datetime.datetime, n: int) -> list[Cell]:
    """Every (day, channel) of [start, end) in time order with its count: n requests in all, drawn as a
    multinomial over the cells' weights (one binomial per cell)."""
    first, last = local(start).date(), local(end).date()
    quiet = festival({first.year, last.year})
    found: list[Cell] = []
    day = first
    while day <= last:
        hours = _hours(day, start, end)
        working = planner.cast.calendar.is_working_day(day)
        for channel, share in CHANNELS.items():
            factor = share * SEASON[day.month] * (1 if working else WEEKEND[channel])
            factor *= FESTIVAL if day in quiet else 1
            weights = tuple(factor * HOURS[channel][h] * (hi - lo) / 3600 for h, lo, hi in hours)
            if sum(weights) > 0:
                found.append(Cell(day, channel, tuple(hours), weights))
        day += datetime.timedelta(days=1)
    if not found:
        raise ValueError("no hour of the period takes requests")
    total, left = sum(sum(c.weights) for c in found), n
    counted = []
    for cell in found:
        weight = sum(cell.weights)
        k = rng.binomialvariate(left, min(1.0, weight / total)) if left and total > 0 else 0
        counted.append(Cell(cell.day, cell.channel, cell.hours, cell.weights, k))
        left, total = left - k, total - weight
    last_cell = counted[-1]
    counted[-1] = Cell(last_cell.day, last_cell.channel, last_cell.hours, last_cell.weights, last_cell.count + left)
    return counted


def split(found: list[Cell], parts: int) -> list[list[Cell]]:
    """Consecutive runs of whole days with about as many requests each."""
    total = sum(c.count for c in found)
    runs: list[list[Cell]] = [[]]
    done = 0
    for n, cell in enumerate(found):
        boundary = n > 0 and cell.day != found[n - 1].day
        if boundary and len(runs) < parts and done >= total * len(runs) / parts:
            runs.append([])
        runs[-1].append(cell)
        done += cell.count
    return [run for run in runs if run]


def days(rng: random.Random, planner: Planner, found: list[Cell]) -> Iterator[list[Plan]]:
    """Each day's plans in time order."""
    day_plans: list[Plan] = []
    current = found[0].day if found else None
    for cell in found:
        if cell.day != current:
            yield sorted(day_plans, key=lambda p: p.created)
            day_plans, current = [], cell.day
        for hour, lo, hi in rng.choices(cell.hours, weights=cell.weights, k=cell.count):
            begin = datetime.datetime.combine(cell.day, datetime.time(hour), tzinfo=zone())
            created = (begin + datetime.timedelta(seconds=rng.uniform(lo, hi))).astimezone(UTC)
            plan = planner.plan(rng, created, cell.channel, planner.pool, planner.cast.spots)
            plan.duplicate = rng.random() < DUPLICATE_SHARE
            day_plans.append(plan)
    if day_plans:
        yield sorted(day_plans, key=lambda p: p.created)
