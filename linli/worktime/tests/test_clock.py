"""Deadline arithmetic over the seeded calendar (issue 16, "Deadline tests")."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.orgs.deadlines import parse_spec
from linli.worktime import clock
from linli.worktime.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
TZ = clock.zone()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def test_seed_holds_every_year_the_library_knows_and_no_later_one() -> None:
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert set(range(2004, 2027)) <= years
    assert 2027 not in years
    national_day = CalendarDay.objects.get(date=datetime.date(2026, 10, 1))
    assert (national_day.kind, national_day.name) == ("holiday", "国庆节")
    assert CalendarDay.objects.get(date=datetime.date(2026, 10, 10)).kind == "workday"
    # Weekend days inside a holiday are off anyway and never stored.
    assert not CalendarDay.objects.filter(date=datetime.date(2026, 10, 3)).exists()


def test_five_working_days_from_the_eve_of_national_day_fall_due_on_october_13() -> None:
    due = clock.deadline(at(2026, 9, 30, 15, 0), parse_spec("5wd"))
    assert due == at(2026, 10, 13, 17, 30)
    assert clock.years_without_schedule([due]) == []


def test_two_urgent_hours_at_five_on_a_friday_fall_due_on_the_next_working_day() -> None:
    friday = at(2026, 11, 27, 17, 0)
    assert friday.weekday() == 4
    assert clock.deadline(friday, parse_spec("2h")) == at(2026, 11, 30, 10, 30)
    # Before a holiday the next working day is after it: Friday 2026-09-25 → Monday 09-28 works normally,
    # but Wednesday 2026-09-30 17:00 + 2h rolls over the whole National Day week to Thursday 10-08.
    assert clock.deadline(at(2026, 9, 30, 17, 0), parse_spec("2h")) == at(2026, 10, 8, 10, 30)
    assert clock.deadline(at(2026, 10, 9, 17, 0), parse_spec("120m")) == at(2026, 10, 10, 10, 30)


def test_a_year_without_schedule_counts_weekends_only() -> None:
    # 2027-01-01 is a Friday and New Year's Day, but no 2027 schedule is loaded: it is a working day.
    assert clock.years_without_schedule([datetime.date(2027, 1, 1)]) == [2027]
    assert clock.is_working_day(datetime.date(2027, 1, 1))
    assert not clock.is_working_day(datetime.date(2027, 1, 2))
    due = clock.deadline(at(2026, 12, 31, 10, 0), parse_spec("5wd"))
    assert due == at(2027, 1, 7, 17, 30)  # Fri 1, Mon 4, Tue 5, Wed 6, Thu 7
    assert clock.years_to_warn(datetime.date(2027, 3, 1)) == [2027, 2028]
    assert clock.years_to_warn(datetime.date(2025, 3, 1)) == []


def test_an_edit_is_seen_by_the_next_computation() -> None:
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    assert not clock.is_working_day(datetime.date(2027, 1, 1))
    assert clock.deadline(at(2026, 12, 31, 10, 0), parse_spec("1wd")) == at(2027, 1, 4, 17, 30)


def test_start_before_opening_and_naive_times() -> None:
    assert clock.add_working_hours(at(2026, 11, 30, 6, 0), hours=1) == at(2026, 11, 30, 10, 0)
    assert clock.add_working_minutes(datetime.datetime(2026, 11, 30, 17, 0), 30) == at(2026, 11, 30, 17, 30)
    with pytest.raises(ValueError):
        clock.add_working_days(at(2026, 11, 30, 9, 0), -1)


def test_reads_are_bounded_by_the_years_spanned() -> None:
    with CaptureQueriesContext(connection) as ctx:
        clock.deadline(at(2026, 1, 5, 9, 0), parse_spec("200wd"))
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        clock.deadline(at(2026, 12, 30, 9, 0), parse_spec("9999h"))
    assert len(ctx.captured_queries) <= 6  # 9999 working hours span five calendar years: one query each
    calendar = clock.WorkCalendar()
    clock.deadline(at(2026, 3, 2, 9, 0), parse_spec("5wd"), calendar)
    with CaptureQueriesContext(connection) as ctx:
        for day in range(1, 28):
            clock.deadline(at(2026, 2, day, 9, 0), parse_spec("8h"), calendar)
    assert len(ctx.captured_queries) == 0  # a shared calendar reads each year once


starts = st.datetimes(min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2027, 12, 20)).map(
    lambda d: d.replace(tzinfo=TZ)
)


@settings(max_examples=150, deadline=None)
@given(start=starts, n=st.integers(0, 40), m=st.integers(0, 40))
def test_working_days_add_up_and_land_on_working_days(start: datetime.datetime, n: int, m: int) -> None:
    calendar = clock.WorkCalendar()
    once = clock.add_working_days(start, n + m, calendar)
    assert clock.add_working_days(clock.add_working_days(start, n, calendar), m, calendar) == once
    assert once >= start
    if n + m:
        assert calendar.is_working_day(once.date())


@settings(max_examples=150, deadline=None)
@given(start=starts, n=st.integers(0, 3000), m=st.integers(0, 3000))
def test_working_minutes_add_up_and_land_on_working_days(start: datetime.datetime, n: int, m: int) -> None:
    calendar = clock.WorkCalendar()
    once = clock.add_working_minutes(start, n + m, calendar)
    assert clock.add_working_minutes(clock.add_working_minutes(start, n, calendar), m, calendar) == once
    assert once >= start
    if n + m:
        assert calendar.is_working_day(once.date())
        opening, closing = clock.workday_hours()
        assert opening < once.timetz().replace(tzinfo=None) <= closing


def test_seed_command_leaves_edited_years_alone() -> None:
    from django.core.management import call_command

    CalendarDay.objects.filter(date=datetime.date(2026, 10, 1)).update(name="已编辑")
    CalendarYear.objects.filter(year=2025).delete()
    call_command("seed_calendar")
    assert CalendarDay.objects.get(date=datetime.date(2026, 10, 1)).name == "已编辑"
    assert CalendarYear.objects.filter(year=2025, source="library").exists()
