"""Issue 20's volunteer journey in a real browser on a phone (375 × 667): a resident signs up as a volunteer,
joins an activity, checks in and out with the organiser's QR code, and sees the hours on their time-bank
statement. Between check-in and check-out the test moves the check-in back 90 minutes (the service itself is
not something a test can wait for); everything else goes through the pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401
from linli.timebank.models import Account
from linli.volunteers.models import Signup

from .conftest import Town

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"volunteer-{name}.png"), full_page=True)


def test_resident_volunteers_checks_in_and_out_and_sees_the_hours(live_server: Any, town: Town, browser: Any) -> None:  # noqa: F811
    base = live_server.url
    activity = town.activity(start_in=-100, minutes=180, auto_confirm=True, title="社区清洁日")
    phone = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    log_in(page, base, town.resident.username)
    page.goto(f"{base}/volunteers/join/")
    _shot(page, "1-signup")
    page.click("#volunteer-signup-submit")
    page.goto(f"{base}/volunteers/activities/{activity.pk}/")
    page.click("#join")
    page.wait_for_load_state()
    assert Signup.objects.filter(activity=activity, volunteer__person=town.person).exists()
    _shot(page, "2-joined")

    desk = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    organiser = desk.new_page()
    log_in(organiser, base, town.keeper.username)
    organiser.goto(f"{base}/volunteers/activities/{activity.pk}/qr/in/")
    checkin = organiser.get_attribute("#qr-code", "data-checkin-url")
    assert checkin
    _shot(organiser, "3-qr")
    page.goto(checkin if checkin.startswith("http") else f"{base}{checkin}")
    page.click("#checkin-submit")
    page.wait_for_load_state()
    signup = Signup.objects.get(activity=activity, volunteer__person=town.person)
    assert signup.checked_in_at is not None
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now() - datetime.timedelta(minutes=90))

    organiser.goto(f"{base}/volunteers/activities/{activity.pk}/qr/out/")
    checkout = organiser.get_attribute("#qr-code", "data-checkin-url")
    assert checkout
    page.goto(checkout if checkout.startswith("http") else f"{base}{checkout}")
    page.click("#checkin-submit")
    page.wait_for_load_state()
    account = Account.objects.get(person=town.person, currency="minutes")
    assert 85 <= account.balance <= 95, account.balance

    page.goto(f"{base}/volunteers/mine/")
    assert page.is_visible("#balance")
    page.goto(f"{base}/timebank/people/{town.person.pk}/{timezone.localdate().year}/")
    assert "1.5" in page.inner_text("body") or str(account.balance) in page.inner_text("body")
    _shot(page, "4-statement")
    desk.close()
    phone.close()
