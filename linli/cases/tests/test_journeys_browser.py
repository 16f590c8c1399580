"""Issue 16's acceptance journeys in a real browser, through the pages only: every step is a person clicking
on /report/ or on a case page (the resident on a phone's viewport), never an action called from the test.
The setup is the base world's people, places and units; no dispatch model is trained, so a street dispatcher
routes each request by hand. Screenshots go to $SCREENSHOT_DIR (docs/screenshots/journey-*.png)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.cases.choices import EventKind, Rating, ReturnReason
from linli.cases.models import Case, CaseEvent, WhistleCall
from linli.dispatch.choices import Channel
from linli.tests.test_browser import CHROMIUM, browser  # noqa: F401

from .journeys import MOMENT, PHONE, Person, expect, submit_on_phone, timeline, zh

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium"),
]


def test_request_returned_redispatched_reopened_and_closed(live_server: Any, world: Any, browser: Any) -> None:  # noqa: F811
    """Resident submits → street dispatches → department returns (职能交叉) → district re-dispatches to the
    street office (街道兜底) → resolved → unsatisfied, reopened → resolved → satisfied, closed."""
    u, base = world.users, live_server.url
    resident = Person(browser, base, u[Role.RESIDENT], phone=True)
    pk = submit_on_phone(resident, "小区门口路面塌陷一个坑，电动车差点摔倒，不知道该归谁管")
    resident.shot("03-resident-case-received")

    dispatcher = Person(browser, base, u[Role.STREET_DISPATCHER])
    dispatcher.from_queue("dispatch", pk)
    dispatcher.act("dispatch", "dispatched", unit="城管委", note="路面问题，先派城管委")
    expect(dispatcher.page.locator("#lead-unit")).to_contain_text("城管委")
    dispatcher.shot("04-street-dispatched")

    handler = Person(browser, base, u[Role.DEPARTMENT_HANDLER])
    handler.from_queue("unit", pk)
    handler.act(
        "return",
        "returned",
        reason="check:overlapping",
        explanation="该路段为小区内部道路，产权属物业，与住建、街道职能交叉",
        suggested_unit="甲街道办事处",
    )
    handler.shot("05-department-returned")
    handler.close()

    district = Person(browser, base, u[Role.DISTRICT_COMMAND])
    district.from_queue("returned", pk)
    expect(district.page.locator("#returns")).to_contain_text(zh(ReturnReason.OVERLAPPING.label))
    district.act("review", "dispatched", outcome="check:uphold", unit="甲街道办事处", note="街道兜底")
    expect(district.page.locator("#lead-unit")).to_contain_text("甲街道办事处")
    new_due = district.page.inner_text("#handle-due")[:16]  # the clock restarts for the street office
    upheld = district.page.locator('#timeline li[data-event="return_upheld"]')
    expect(upheld).to_contain_text(zh("To be handled by %(t)s") % {"t": new_due})
    district.shot("06-district-redispatched")

    # The street office now leads the case: its dispatcher works for it (DESIGN §3: the street takes it).
    dispatcher.from_queue("unit", pk)
    dispatcher.act("accept", "accepted")
    dispatcher.act("contact", "accepted", note="已电话联系王女士，约定明天上午现场查看")
    dispatcher.act("resolve", "resolved", answer="已协调物业用沥青临时填补，并设置警示标志")
    dispatcher.shot("07-street-resolved")

    resident.open_case(pk)
    resident.act("rate", "accepted", rating=f"check:{Rating.UNSATISFIED}", resolved="check:no", comment="只是临时填补")
    reopened = resident.page.locator('#timeline li[data-event="reopened"]')
    expect(reopened).to_contain_text(zh(EventKind.REOPENED.label))
    resident.shot("08-resident-unsatisfied-reopened")

    dispatcher.open_case(pk)
    expect(dispatcher.page.locator("#deadlines")).to_contain_text(":")
    dispatcher.act("resolve", "resolved", answer="物业已重新铺设该段路面，经现场查看平整牢固")

    resident.open_case(pk)
    resident.act("rate", "closed", rating=f"check:{Rating.SATISFIED}", resolved="check:yes")
    expect(resident.page.locator("#case-state")).to_have_text(zh("Closed"))
    resident.shot("09-resident-closed")

    district.open_case(pk)
    district.shot("10-timeline")
    lines = timeline(district.page)
    kinds = [line["kind"] for line in lines]
    assert kinds == [
        "submitted",
        "dispatched",
        "returned",
        "return_upheld",
        "accepted",
        "contacted",
        "resolved",
        "rated",
        "reopened",
        "resolved",
        "rated",
    ], kinds
    stored = list(CaseEvent.objects.filter(case_id=pk).order_by("seq"))
    assert len(stored) == len(lines)
    for line, event in zip(lines, stored, strict=True):
        assert line["title"] == zh(EventKind(event.kind).label), line
        assert MOMENT.match(line["at"]) and line["datetime"], line
        assert line["at"] == timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M")
    actors = [line["actor"] for line in lines]
    street, dept = "甲街道办事处", "城管委"
    assert actors == [
        zh(Channel.WEB.label),  # a submission is labelled by its channel
        zh(Role.STREET_DISPATCHER.label),
        dept,
        zh(Role.DISTRICT_COMMAND.label),
        street,
        street,
        street,
        "居民",
        "系统",
        street,
        "居民",
    ], actors
    # Staff see who acted by username too; the resident sees units and roles, never a worker's name.
    assert u[Role.DISTRICT_COMMAND].username in lines[3]["text"]
    assert zh(ReturnReason.OVERLAPPING.label) in lines[2]["text"] and "街道兜底" in lines[3]["text"]

    resident.open_case(pk)
    mine = timeline(resident.page)
    assert [line["kind"] for line in mine] == kinds
    assert not any(user.username in line["text"] for line in mine for user in u.values())
    assert all(MOMENT.match(line["at"]) for line in mine)

    case = Case.objects.get(pk=pk)
    assert case.reopen_count == 1 and case.return_count == 1 and case.rating == Rating.SATISFIED
    assert case.lead_unit == world.units["street_a"] and case.accountable_unit == world.units["street_a"]
    from linli.cases.timeline import verify_all

    checked, broken = verify_all()
    assert checked == 1 and broken is None, broken
    for person in (resident, dispatcher, district):
        person.close()


def _accepted_by_community(browser: Any, base: str, world: Any, text: str) -> tuple[int, Person, Person]:  # noqa: F811
    """A request submitted on the phone, sent by the street to the community committee, accepted there."""
    u = world.users
    resident = Person(browser, base, u[Role.RESIDENT], phone=True)
    pk = submit_on_phone(resident, text, picker=False)
    dispatcher = Person(browser, base, u[Role.STREET_DISPATCHER])
    dispatcher.from_queue("dispatch", pk)
    dispatcher.act("dispatch", "dispatched", unit="甲一社区居委会")
    secretary = Person(browser, base, u[Role.COMMUNITY_SECRETARY])
    secretary.from_queue("unit", pk)
    secretary.act("accept", "accepted")
    secretary.close()
    return pk, resident, dispatcher


def test_whistle_summons_departments_that_report_on_site(live_server: Any, world: Any, browser: Any) -> None:  # noqa: F811
    """吹哨报到: the street summons two departments to an accepted case; one reports on time from its whistles
    queue; the other is marked late by the sweep, then reports late."""
    base = live_server.url
    pk, resident, dispatcher = _accepted_by_community(browser, base, world, "楼下餐馆油烟直排，夜里还占道经营")
    resident.close()
    dispatcher.open_case(pk)
    dispatcher.act("whistle", "accepted", units=["城管委", "人社局"], note="占道经营与油烟，请到现场联合处置")
    calls = dispatcher.page.locator("#whistle-calls li")
    expect(calls).to_have_count(2)
    expect(calls.first).to_contain_text(zh("not yet reported"))
    dispatcher.shot("11-whistle-blown")

    handler = Person(browser, base, world.users[Role.DEPARTMENT_HANDLER])
    handler.from_queue("whistles", pk)
    handler.act("report", "accepted", note="执法队员两人已到场")
    handler.page.goto(f"{base}/cases/?tab=whistles")
    expect(handler.page.locator(f'#case-list li[data-case="{pk}"]')).to_have_count(0)  # answered: off the queue
    handler.close()

    from linli.cases import sweep

    late_call = WhistleCall.objects.get(case_id=pk, unit=world.units["dept_b"])
    counts = sweep.run(now=late_call.arrive_by + datetime.timedelta(minutes=1))
    assert counts["late_whistles"] == 1, counts
    dispatcher.open_case(pk)
    rows = dispatcher.page.locator("#whistle-calls li")
    expect(rows.filter(has_text="城管委")).to_contain_text(zh("reported"))
    expect(rows.filter(has_text="城管委").locator(".badge.late")).to_have_count(0)
    expect(rows.filter(has_text="人社局")).to_contain_text(zh("not yet reported"))
    expect(rows.filter(has_text="人社局").locator(".badge.late")).to_have_count(1)
    dispatcher.shot("12-whistle-one-late")

    other = Person(browser, base, world.outsiders[Role.DEPARTMENT_HANDLER])
    other.from_queue("whistles", pk)
    other.act("report", "accepted", note="迟到，已到场")
    other.close()
    dispatcher.open_case(pk)
    expect(rows.filter(has_text="人社局")).to_contain_text(zh("reported"))
    expect(rows.filter(has_text="人社局").locator(".badge.late")).to_have_count(1)
    lines = timeline(dispatcher.page)
    whistle = [(line["kind"], line["actor"]) for line in lines if line["kind"].startswith("whistle")]
    assert whistle == [
        ("whistle_blown", zh(Role.STREET_DISPATCHER.label)),
        ("whistle_reported", "城管委"),
        ("whistle_late", "系统"),
        ("whistle_reported", "人社局"),
    ], whistle
    reported = [line for line in lines if line["kind"] == "whistle_reported"]
    assert zh("on time") in reported[0]["text"] and zh("late") in reported[1]["text"]
    assert all(MOMENT.match(line["at"]) for line in lines)
    from linli.cases.timeline import verify_all

    assert verify_all()[1] is None
    dispatcher.close()


def test_extension_is_approved_and_the_resident_sees_the_new_deadline(
    live_server: Any,
    world: Any,
    browser: Any,  # noqa: F811
) -> None:
    """The handling unit asks for 3 more working days; the street approves it from its approvals queue; the
    deadline moves on the case page and the resident reads the extension in plain words."""
    base, u = live_server.url, world.users
    resident = Person(browser, base, u[Role.RESIDENT], phone=True)
    pk = submit_on_phone(resident, "小区东门路灯坏了一个多月，晚上很黑", picker=False)
    dispatcher = Person(browser, base, u[Role.STREET_DISPATCHER])
    dispatcher.from_queue("dispatch", pk)
    dispatcher.act("dispatch", "dispatched", unit="城管委")
    handler = Person(browser, base, u[Role.DEPARTMENT_HANDLER])
    handler.from_queue("unit", pk)
    handler.act("accept", "accepted")
    before = handler.page.inner_text("#handle-due")
    handler.act(
        "request_approval",
        "accepted",
        kind="check:extension",
        working_days="3",
        reason="灯杆线路需电力公司配合更换，预计下周完成",
    )
    handler.shot("13-extension-requested")

    dispatcher.from_queue("approvals", pk)
    expect(dispatcher.page.locator('[data-action-panel="decide"] summary')).to_contain_text("3")
    dispatcher.act("decide", "accepted", decision="check:approve")
    after = dispatcher.page.inner_text("#handle-due")
    moved = datetime.datetime.strptime(after[:16], "%Y-%m-%d %H:%M")
    assert moved > datetime.datetime.strptime(before[:16], "%Y-%m-%d %H:%M"), (before, after)
    assert (moved.date() - datetime.datetime.strptime(before[:10], "%Y-%m-%d").date()).days >= 3
    expect(dispatcher.page.locator("#deadlines")).to_contain_text(zh("Extensions"))
    dispatcher.shot("14-extension-approved")

    resident.open_case(pk)
    page = resident.page
    expect(page.locator("#handle-due")).to_contain_text(after[:16])
    expect(page.locator("#approvals")).to_contain_text(zh("Approved"))
    approved = page.locator('#timeline li[data-event="approval_decided"]')
    expect(approved).to_contain_text(after[:16])
    words = zh("Extension by %(n)d working days") % {"n": 3}
    expect(approved).to_contain_text(words)
    expect(page.locator("#approvals")).to_contain_text("电力公司")  # the reason, as the unit gave it
    resident.shot("15-resident-extension")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for person in (resident, dispatcher, handler):
        person.close()
