"""The schedule the installed chinese-calendar knows, as rows of the holiday table.

Only true exceptions are kept: weekday days off and weekend make-up working days. The library also lists the
weekend days inside a holiday (e.g. a Saturday of National Day week); they are off anyway, and the import
refuses them, so the table never holds them.
"""

from __future__ import annotations

import datetime
from typing import Any

from chinese_calendar.constants import Holiday, holidays, workdays

from .choices import DayKind, ScheduleSource

CHINESE_NAMES = {h.value: h.chinese for h in Holiday}


def library_exceptions() -> dict[datetime.date, tuple[str, str]]:
    found: dict[datetime.date, tuple[str, str]] = {}
    for day, name in holidays.items():
        if day.weekday() < 5:
            found[day] = (DayKind.HOLIDAY, CHINESE_NAMES.get(name, name))
    for day, name in workdays.items():
        if day.weekday() >= 5:
            found[day] = (DayKind.WORKDAY, CHINESE_NAMES.get(name, name))
    return found


def library_years() -> list[int]:
    return sorted({d.year for d in holidays} | {d.year for d in workdays})


def seed(day_model: Any, year_model: Any) -> int:
    """Add the library's years the table lacks; a year already loaded (perhaps edited) is left alone."""
    loaded = set(year_model.objects.values_list("year", flat=True))
    years = [y for y in library_years() if y not in loaded]
    rows = [
        day_model(date=day, kind=kind, name=name)
        for day, (kind, name) in sorted(library_exceptions().items())
        if day.year in years
    ]
    day_model.objects.filter(date__year__in=years).delete()
    day_model.objects.bulk_create(rows)
    year_model.objects.bulk_create([year_model(year=y, source=ScheduleSource.LIBRARY) for y in years])
    return len(years)
