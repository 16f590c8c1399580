"""Deadline acceptance (issue 16): clocks start at dispatch and count the working calendar, through the
deadline rules (matter × urgency × unit kind) and through dispatch itself.

- 5 working days from 2026-09-30, the last working day before National Day: the count crosses the holiday and
  the 调休 working Saturday 2026-10-10 and falls due on 2026-10-13;
- 2 urgent hours from 17:00 on a Friday: 30 minutes on Friday, 90 on Monday morning;
- a request in 2027, whose schedule is not loaded: weekends only, and district command is warned.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.accounts.models import Grant
from linli.cases import actions
from linli.cases.choices import Urgency
from linli.cases.deadlines import due_moments
from linli.cases.models import DeadlineRule
from linli.orgs.choices import UnitKind
from linli.worktime import actions as calendar
from linli.worktime import clock

from .conftest import submit

pytestmark = pytest.mark.django_db
TZ = clock.zone()


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


def dispatched_at(monkeypatch: Any, moment: datetime.datetime, world: Any, people: dict[str, Any], **extra: Any) -> Any:
    """Submit, then dispatch with the clock standing at `moment` (dispatch takes no time argument: the
    clocks start when a person or the engine dispatches, now)."""
    case = submit(world, people["resident"], **extra)
    # The dispatcher held the post then (the world's grants start at the real now, which may be later).
    Grant.objects.filter(user=people["dispatcher"]).update(valid_from=at(2026, 1, 1))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    try:
        return actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    finally:
        monkeypatch.undo()


def test_five_working_days_across_national_day_fall_due_on_october_13(
    world: Any, people: dict[str, Any], monkeypatch: Any
) -> None:
    eve = at(2026, 9, 30, 15, 0)
    contact, handle = due_moments(eve, None, Urgency.NORMAL, world.units["street_a"])
    # 10-01…10-07 off; 10-08 (1), 10-09 (2), Saturday 10-10 worked (3), Sunday 10-11 off, 10-12 (4), 10-13 (5).
    assert handle == at(2026, 10, 13, 17, 30)
    assert contact == at(2026, 10, 8, 17, 30)
    case = dispatched_at(monkeypatch, eve, world, people)
    assert case.dispatched_at == eve
    assert (case.contact_due, case.handle_due) == (contact, handle)
    assert case.sweep_due_at == contact


def test_a_rule_for_matter_urgency_and_unit_kind_wins(world: Any, people: dict[str, Any], matter: Any) -> None:
    eve = at(2026, 9, 30, 15, 0)
    DeadlineRule.objects.create(matter=matter, urgency=Urgency.NORMAL, unit_kind=UnitKind.STREET_OFFICE, handle="3wd")
    # The street office gets the rule; a department (no rule for its kind) the 5-day default.
    assert due_moments(eve, matter, Urgency.NORMAL, world.units["street_a"])[1] == at(2026, 10, 10, 17, 30)
    assert due_moments(eve, matter, Urgency.NORMAL, world.units["dept_a"])[1] == at(2026, 10, 13, 17, 30)


def test_two_urgent_hours_at_five_on_a_friday(world: Any, people: dict[str, Any], monkeypatch: Any) -> None:
    friday = at(2026, 11, 27, 17, 0)
    assert friday.weekday() == 4
    contact, handle = due_moments(friday, None, Urgency.URGENT, world.units["street_a"])
    assert contact == at(2026, 11, 30, 10, 30)  # 17:00–17:30 on Friday, 09:00–10:30 on Monday
    assert handle == at(2026, 11, 30, 17, 30)  # urgent handling: the next working day
    case = dispatched_at(monkeypatch, friday, world, people, urgency=Urgency.URGENT)
    assert (case.contact_due, case.handle_due) == (contact, handle)


def test_2027_without_a_schedule_counts_weekends_only_and_warns_district_command(
    world: Any, people: dict[str, Any], monkeypatch: Any, client: Any
) -> None:
    new_years_eve = at(2026, 12, 31, 10, 0)
    case = dispatched_at(monkeypatch, new_years_eve, world, people)
    # 2027-01-01 (New Year's Day, a Friday) counts as a working day while 2027 is unknown.
    assert case.contact_due == at(2027, 1, 1, 17, 30)
    assert case.handle_due == at(2027, 1, 7, 17, 30)  # Fri 1, Mon 4, Tue 5, Wed 6, Thu 7
    assert clock.years_without_schedule([case.handle_due]) == [2027]
    assert clock.years_to_warn(datetime.date(2027, 3, 1)) == [2027, 2028]
    command = people["district"]
    client.force_login(command)
    missing = clock.years_to_warn()
    body = client.get(reverse("home")).content.decode()
    assert 'id="calendar-warning"' in body and str(missing[0]) in body
    # Once district command loads 2027's New Year's Day and confirms the year, dispatch counts it off.
    calendar.set_day(command, datetime.date(2027, 1, 1), "holiday", "元旦")
    calendar.confirm_year(command, 2027)
    assert clock.years_without_schedule([case.handle_due]) == []
    again = dispatched_at(monkeypatch, new_years_eve, world, people, text="路灯不亮已经一周，晚上出行不便")
    assert again.contact_due == at(2027, 1, 4, 17, 30)
    assert again.handle_due == at(2027, 1, 8, 17, 30)
