"""Working-time deadline arithmetic over the official working calendar (DESIGN §4, issue 16).

Semantics:

- A **working day** is Monday to Friday, unless the holiday table (`CalendarDay`) marks it a day off
  (放假), or a Saturday or Sunday that the table marks a make-up working day (调休上班).
- A year with no loaded schedule (no `CalendarYear` row) counts weekends only: its weekdays work, its
  weekends rest. `years_without_schedule` names such years so that pages can warn (`years_to_warn`).
- All times are local to settings.TIME_ZONE (Asia/Shanghai); a naive datetime is read as local time and
  every result is an aware local datetime.
- **Working days** (`wd`): the clock starts at dispatch; the dispatch day itself never counts, whatever the
  hour. n working days after a dispatch fall due at settings.WORKDAY_END (default 17:30) of the n-th
  working day after the dispatch day. A request dispatched on 2026-09-30 with 5wd skips the National Day
  holiday (10-01…10-07), counts 10-08, 10-09, the make-up Saturday 10-10, 10-12 and 10-13, and falls due
  at 17:30 on 2026-10-13.
- **Hours and minutes** (`h`, `m`): only working time counts, between settings.WORKDAY_START and
  settings.WORKDAY_END on working days (no lunch break), rolling over nights, weekends and holidays.
  Time before the opening of a working day starts counting at the opening. A deadline that uses up a day's
  time exactly falls due at that day's closing, not the next morning. A 2-hour request at 17:00 on a Friday
  counts 30 minutes on Friday and falls due at 10:30 on the next working day.
- Adding zero returns the start unchanged, so that adding n then m equals adding n + m for days and
  minutes alike.

Reads are bounded: a `WorkCalendar` reads a year's exceptions in one query the first time a computation
touches that year, so one deadline costs one query per calendar year it spans (usually one). Every
computation builds a fresh calendar unless the caller passes one (e.g. a sweep over many cases), so an edit
is seen by the next computation in every process without any cache to invalidate.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

from linli.orgs.deadlines import DeadlineSpec

from .choices import DayKind
from .models import CalendarDay, CalendarYear

ONE_DAY = datetime.timedelta(days=1)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone(settings.TIME_ZONE)


def _clock_time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def workday_hours() -> tuple[datetime.time, datetime.time]:
    opening, closing = _clock_time(settings.WORKDAY_START), _clock_time(settings.WORKDAY_END)
    if opening >= closing:
        raise ValueError("WORKDAY_START must be before WORKDAY_END")
    return opening, closing


def local(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone())
    return moment.astimezone(zone())


def _at(day: datetime.date, when: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, when, tzinfo=zone())


class WorkCalendar:
    """The holiday table as one computation sees it: each year read once, when first touched."""

    def __init__(self) -> None:
        self._years: dict[int, dict[datetime.date, str]] = {}

    def exceptions(self, year: int) -> dict[datetime.date, str]:
        if year not in self._years:
            rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
            self._years[year] = dict(rows)
        return self._years[year]

    def is_working_day(self, day: datetime.date) -> bool:
        kind = self.exceptions(day.year).get(day)
        if kind == DayKind.HOLIDAY:
            return False
        if kind == DayKind.WORKDAY:
            return True
        return day.weekday() < 5


def is_working_day(day: datetime.date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or WorkCalendar()).is_working_day(day)


def add_working_days(start: datetime.datetime, n: int, calendar: WorkCalendar | None = None) -> datetime.datetime:
    if n < 0:
        raise ValueError("n must not be negative")
    start = local(start)
    if n == 0:
        return start
    calendar = calendar or WorkCalendar()
    day, counted = start.date(), 0
    while counted < n:
        day += ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return _at(day, workday_hours()[1])


def add_working_minutes(
    start: datetime.datetime, minutes: int, calendar: WorkCalendar | None = None
) -> datetime.datetime:
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    moment = local(start)
    if minutes == 0:
        return moment
    calendar = calendar or WorkCalendar()
    opening, closing = workday_hours()
    remaining = datetime.timedelta(minutes=minutes)
    day = moment.date()
    while True:
        if calendar.is_working_day(day):
            begin, end = max(moment, _at(day, opening)), _at(day, closing)
            if begin < end:
                if remaining <= end - begin:
                    return begin + remaining
                remaining -= end - begin
        day += ONE_DAY
        moment = _at(day, datetime.time.min)


def add_working_hours(
    start: datetime.datetime, hours: int = 0, minutes: int = 0, calendar: WorkCalendar | None = None
) -> datetime.datetime:
    return add_working_minutes(start, hours * 60 + minutes, calendar)


def deadline(start: datetime.datetime, spec: DeadlineSpec, calendar: WorkCalendar | None = None) -> datetime.datetime:
    if spec.unit == "wd":
        return add_working_days(start, spec.amount, calendar)
    if spec.unit == "h":
        return add_working_hours(start, hours=spec.amount, calendar=calendar)
    if spec.unit == "m":
        return add_working_minutes(start, spec.amount, calendar)
    raise ValueError(f"unknown deadline unit {spec.unit!r}")


def years_without_schedule(moments: Iterable[datetime.date | datetime.datetime | int]) -> list[int]:
    """The years among these dates (or years) whose schedule is not loaded: they count weekends only."""
    years = set()
    for moment in moments:
        if isinstance(moment, datetime.datetime):
            years.add(local(moment).year)
        elif isinstance(moment, datetime.date):
            years.add(moment.year)
        else:
            years.add(int(moment))
    loaded = set(CalendarYear.objects.filter(year__in=sorted(years)).values_list("year", flat=True))
    return sorted(years - loaded)


def years_to_warn(today: datetime.date | None = None) -> list[int]:
    """This year and the next, where not loaded: district command is warned until someone loads them."""
    year = (today or datetime.datetime.now(zone()).date()).year
    return years_without_schedule([year, year + 1])
