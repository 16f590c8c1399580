"""Every write to the working calendar. Atomic, permission-checked, one audit event each."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_calendar
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.tabular import ImportRejected, RowError, read_table, require_columns, row_checker, write_xlsx
from linli.core.validation import check_name

from .choices import DayKind, ScheduleSource
from .models import CalendarDay, CalendarYear

# The file's columns and type words as the State Council's notice and every office's sheet write them:
# a file format, like a CSV header, not UI text.
DATE, KIND, NAME = "日期", "类型", "名称"
COLUMNS = (DATE, KIND, NAME)
KIND_WORDS = {"放假": DayKind.HOLIDAY, "调休上班": DayKind.WORKDAY}
WORD_OF: dict[str, str] = {kind: word for word, kind in KIND_WORDS.items()}
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$")


def _require_editor(actor: Any) -> None:
    if not can_edit_calendar(actor):
        raise PermissionDenied(_("You may not edit the working calendar"))


def parse_date(text: str) -> datetime.date:
    match = DATE_RE.match((text or "").strip())
    try:
        if match is None:
            raise ValueError
        return datetime.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a date: write it as 2027-01-01"), params={"value": text}) from None


def parse_kind(text: str) -> str:
    kind = KIND_WORDS.get((text or "").strip())
    if kind is None:
        raise ValidationError(_("Unknown type “%(value)s”: write 放假 or 调休上班"), params={"value": text})
    return kind


def check_day(day: datetime.date, kind: str, name: str) -> str:
    """The rules every edit and import shares; returns the cleaned name."""
    if kind == DayKind.HOLIDAY and day.weekday() >= 5:
        raise ValidationError(
            _("%(date)s is a Saturday or Sunday: it is off anyway; only a weekday can be a day off"),
            params={"date": day.isoformat()},
        )
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError(
            _("%(date)s is a weekday: only a Saturday or Sunday can be a make-up working day"),
            params={"date": day.isoformat()},
        )
    if kind not in DayKind.values:
        raise ValidationError(_("Unknown type “%(value)s”: write 放假 or 调休上班"), params={"value": kind})
    if kind == DayKind.HOLIDAY or (name or "").strip():
        return check_name(name)
    return ""


def _touch_year(actor: Any, year: int, source: str) -> None:
    """A loaded year changed by hand now comes from a person; an unloaded year stays unloaded."""
    CalendarYear.objects.filter(year=year).update(source=source, loaded_by=actor if actor.pk else None)


@transaction.atomic
def set_day(actor: Any, day: datetime.date, kind: str, name: str = "") -> CalendarDay:
    _require_editor(actor)
    name = check_day(day, kind, name)
    existing = CalendarDay.objects.select_for_update().filter(date=day).first()
    before = {"kind": existing.kind, "name": existing.name} if existing else None
    row, _created = CalendarDay.objects.update_or_create(
        date=day, defaults={"kind": kind, "name": name, "updated_by": actor}
    )
    _touch_year(actor, day.year, ScheduleSource.MANUAL)
    audit.record(
        AuditAction.CALENDAR_DAY_SET,
        actor=actor,
        target=row,
        data={"date": day.isoformat(), "before": before, "after": {"kind": kind, "name": name}},
    )
    return row


@transaction.atomic
def clear_day(actor: Any, day: datetime.date) -> None:
    """The day follows the Monday–Friday week again."""
    _require_editor(actor)
    row = CalendarDay.objects.select_for_update().filter(date=day).first()
    if row is None:
        raise ValidationError(_("%(date)s is not in the holiday table"), params={"date": day.isoformat()})
    before = {"kind": row.kind, "name": row.name}
    row.delete()
    _touch_year(actor, day.year, ScheduleSource.MANUAL)
    audit.record(
        AuditAction.CALENDAR_DAY_CLEARED,
        actor=actor,
        target_type="worktime.calendarday",
        target_id=day.isoformat(),
        target_repr=day.isoformat(),
        data={"date": day.isoformat(), "before": before},
    )


@transaction.atomic
def confirm_year(actor: Any, year: int) -> CalendarYear:
    """A person declares the year's schedule complete (entered day by day): the warning stops."""
    _require_editor(actor)
    if not 1949 < year < 2200:
        raise ValidationError(_("%(year)s is not a year the calendar can hold"), params={"year": year})
    row, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": ScheduleSource.MANUAL, "loaded_by": actor}
    )
    days = CalendarDay.objects.filter(date__year=year).count()
    audit.record(AuditAction.CALENDAR_YEAR_CONFIRMED, actor=actor, target=row, data={"year": year, "days": days})
    return row


@dataclass(frozen=True)
class ImportResult:
    year: int
    holidays: int
    workdays: int


def _read_schedule(fileobj: IO[bytes], filename: str) -> tuple[int, list[CalendarDay]]:
    table = read_table(fileobj, filename)
    require_columns(table, (DATE, KIND))
    if not table.rows:
        raise ImportRejected([RowError(2, "", _("The file has no rows"))])
    errors: list[RowError] = []
    seen: dict[datetime.date, int] = {}
    first_year: int | None = None
    rows: list[CalendarDay] = []
    for number, cells in table.rows:
        attempt = row_checker(number, errors)
        day = attempt(DATE, parse_date, cells.get(DATE, ""))
        kind = attempt(KIND, parse_kind, cells.get(KIND, ""))
        if day is None:
            continue
        if day in seen:
            errors.append(
                RowError(
                    number,
                    DATE,
                    _("Date %(date)s is also in row %(row)s") % {"date": day.isoformat(), "row": seen[day]},
                )
            )
            continue
        seen[day] = number
        if first_year is None:
            first_year = day.year
        elif day.year != first_year:
            message = _("Year %(year)s differs from the file's year %(first)s: import one year at a time")
            errors.append(RowError(number, DATE, message % {"year": day.year, "first": first_year}))
            continue
        if kind is None:
            continue
        name = attempt(NAME, check_day, day, kind, cells.get(NAME, ""))
        if name is not None:
            rows.append(CalendarDay(date=day, kind=kind, name=name))
    if errors:
        raise ImportRejected(errors)
    assert first_year is not None
    return first_year, rows


@transaction.atomic
def import_year(actor: Any, fileobj: IO[bytes], filename: str) -> ImportResult:
    """Replace one year's schedule with the file's, whole or not at all, and mark the year loaded."""
    _require_editor(actor)
    year, rows = _read_schedule(fileobj, filename)
    # Lock the year's row (created if new) so that two imports of one year never interleave.
    CalendarYear.objects.get_or_create(year=year, defaults={"source": ScheduleSource.EXCEL, "loaded_by": actor})
    year_row = CalendarYear.objects.select_for_update().get(year=year)
    replaced = CalendarDay.objects.filter(date__year=year).delete()[0]
    for row in rows:
        row.updated_by = actor
    CalendarDay.objects.bulk_create(rows)
    year_row.source, year_row.loaded_by = ScheduleSource.EXCEL, actor
    year_row.save()
    result = ImportResult(
        year=year,
        holidays=sum(r.kind == DayKind.HOLIDAY for r in rows),
        workdays=sum(r.kind == DayKind.WORKDAY for r in rows),
    )
    audit.record(
        AuditAction.CALENDAR_YEAR_IMPORTED,
        actor=actor,
        target=year_row,
        data={
            "year": year,
            "file": filename,
            "holidays": result.holidays,
            "workdays": result.workdays,
            "replaced": replaced,
        },
    )
    return result


def year_template(days: Iterable[CalendarDay], year: int) -> bytes:
    """A year's schedule as an importable sheet (just the header when the year has none)."""
    return write_xlsx(COLUMNS, ((d.date.isoformat(), WORD_OF[d.kind], d.name) for d in days), title=str(year))
