"""Edits of the working calendar: actions, the Excel import, the page and the warning to district command."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from linli.accounts.choices import Role
from linli.core.audit import verify_chain
from linli.core.models import AuditEvent
from linli.core.tabular import ImportRejected, read_table, write_xlsx
from linli.orgs.deadlines import parse_spec
from linli.worktime import actions, clock
from linli.worktime.models import CalendarDay, CalendarYear

COLUMNS = ["日期", "类型", "名称"]
SCHEDULE_2027 = [
    ["2027-01-01", "放假", "元旦"],
    ["2027-02-05", "放假", "春节"],
    ["2027-02-06", "调休上班", ""],
    ["2027/10/01", "放假", "国庆节"],
    ["2027年10月9日", "调休上班", ""],
]


def sheet(rows: list[list[str]]) -> io.BytesIO:
    return io.BytesIO(write_xlsx(COLUMNS, rows))


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_import_loads_a_year_whole_and_the_clock_uses_it(world: Any) -> None:
    command = world.users[Role.DISTRICT_COMMAND]
    result = actions.import_year(command, sheet(SCHEDULE_2027), "2027.xlsx")
    assert (result.year, result.holidays, result.workdays) == (2027, 3, 2)
    assert CalendarYear.objects.get(year=2027).source == "excel"
    assert events("calendar.year_imported") == 1
    assert clock.years_without_schedule([2027]) == []
    assert not clock.is_working_day(datetime.date(2027, 1, 1))
    assert clock.is_working_day(datetime.date(2027, 10, 9))
    start = datetime.datetime(2026, 12, 31, 10, 0, tzinfo=clock.zone())
    assert clock.deadline(start, parse_spec("1wd")).date() == datetime.date(2027, 1, 4)
    # Importing the year again replaces it rather than adding to it.
    actions.import_year(command, sheet(SCHEDULE_2027[:1]), "2027.xlsx")
    assert CalendarDay.objects.filter(date__year=2027).count() == 1
    assert verify_chain() is None


def test_import_reports_every_bad_row_and_writes_nothing(world: Any) -> None:
    command = world.users[Role.DISTRICT_COMMAND]
    rows = [
        ["2027-01-01", "放假", "元旦"],  # 2 good
        ["2027-13-01", "放假", "元旦"],  # 3 bad date
        ["2027-01-04", "休息", "元旦"],  # 4 unknown type
        ["2027-01-02", "放假", "元旦"],  # 5 a Saturday marked as a day off
        ["2027-01-05", "调休上班", ""],  # 6 a Tuesday marked as a make-up day
        ["2027-01-01", "放假", "元旦"],  # 7 duplicate of row 2
        ["2028-01-03", "放假", "元旦"],  # 8 another year
        ["2027-02-08", "放假", ""],  # 9 a day off without its name
    ]
    before = CalendarDay.objects.count()
    with pytest.raises(ImportRejected) as caught:
        actions.import_year(command, sheet(rows), "2027.xlsx")
    assert caught.value.bad_rows == [3, 4, 5, 6, 7, 8, 9]
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert events("calendar.year_imported") == 0


def test_import_error_messages_are_chinese_on_the_page(world: Any, client: Any) -> None:
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    upload = sheet([["2027-01-02", "放假", "元旦"], ["2027-01-05", "调休上班", ""]])
    upload.name = "2027.xlsx"
    response = client.post(reverse("worktime:import"), {"file": upload}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.content.decode()
    assert "import-errors" in body and "2027-01-02" in body and "2027-01-05" in body


def test_set_and_clear_a_day_are_audited_and_refused_to_a_street_dispatcher(world: Any) -> None:
    command = world.users[Role.DISTRICT_COMMAND]
    day = datetime.date(2026, 12, 31)
    actions.set_day(command, day, "holiday", "试点调休")
    assert not clock.is_working_day(day)
    assert CalendarYear.objects.get(year=2026).source == "manual"
    actions.clear_day(command, day)
    assert clock.is_working_day(day)
    assert events("calendar.day_set") == 1 and events("calendar.day_cleared") == 1
    with pytest.raises(ValidationError):
        actions.set_day(command, datetime.date(2026, 12, 26), "holiday", "周六")
    dispatcher = world.users[Role.STREET_DISPATCHER]
    with pytest.raises(PermissionDenied):
        actions.set_day(dispatcher, day, "holiday", "越权")
    with pytest.raises(PermissionDenied):
        actions.import_year(dispatcher, sheet(SCHEDULE_2027), "2027.xlsx")
    with pytest.raises(PermissionDenied):
        actions.confirm_year(dispatcher, 2027)
    assert not CalendarDay.objects.filter(date=day).exists()
    assert events("calendar.day_set") == 1


def test_district_command_is_warned_until_this_and_next_year_are_loaded(world: Any, client: Any) -> None:
    command = world.users[Role.DISTRICT_COMMAND]
    client.force_login(command)
    missing = clock.years_to_warn()
    assert missing  # the library knows no year after 2026, so next year is never loaded by the seed
    body = client.get(reverse("home")).content.decode()
    assert 'id="calendar-warning"' in body and str(missing[0]) in body and reverse("worktime:calendar") in body
    for year in missing:
        actions.confirm_year(command, year)
    assert 'id="calendar-warning"' not in client.get(reverse("home")).content.decode()


def test_calendar_page_and_template_for_district_command_only(world: Any, client: Any) -> None:
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    page = client.get(reverse("worktime:calendar"), {"year": "2026"})
    assert page.status_code == 200 and "2026-10-01" in page.content.decode()
    template = client.get(reverse("worktime:template"), {"year": "2026"})
    table = read_table(io.BytesIO(template.content), "t.xlsx")
    assert table.columns == COLUMNS and ("2026-10-10" in [r["日期"] for _, r in table.rows])
    # The downloaded template imports back unchanged.
    before = list(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name"))
    actions.import_year(world.users[Role.DISTRICT_COMMAND], io.BytesIO(template.content), "t.xlsx")
    assert list(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "name")) == before
    client.force_login(world.users[Role.STREET_DISPATCHER])
    assert client.get(reverse("worktime:calendar")).status_code == 403
    assert client.get(reverse("worktime:import")).status_code == 403


def test_admin_saves_through_the_actions(world: Any, client: Any) -> None:
    client.force_login(world.admin)
    url = reverse("admin:worktime_calendarday_add")
    bad = client.post(url, {"date": "2027-01-02", "kind": "holiday", "name": "元旦"})
    assert bad.status_code == 200 and not CalendarDay.objects.filter(date="2027-01-02").exists()
    good = client.post(url, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert good.status_code == 302
    day = CalendarDay.objects.get(date="2027-01-01")
    assert day.updated_by == world.admin and events("calendar.day_set") == 1
    client.post(reverse("admin:worktime_calendarday_delete", args=[day.pk]), {"post": "yes"})
    assert not CalendarDay.objects.filter(date="2027-01-01").exists() and events("calendar.day_cleared") == 1
    client.post(reverse("admin:worktime_calendaryear_add"), {"year": "2027"})
    assert CalendarYear.objects.get(year=2027).source == "manual" and events("calendar.year_confirmed") == 1
