"""Issue 19's last acceptance line end to end in a real browser: a topic → an owners' vote → the decision → a
case. The community worker puts a proposed topic to the estate's open vote on its page; the owner votes on a
phone and keeps the receipt; two more owners vote in person at the meeting; the closing job counts and
publishes; the topic page shows the decision with the tally, the worker opens the follow-up case there, and the
owner finds the receipt in the published result."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from linli.participation.actions.ballots import record_in_person
from linli.participation.actions.votes import close_due_votes
from linli.participation.models import TopicCase
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

from .cast_world import CastWorld
from .topics_world import ESTATE_A, TopicWorld, tw_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"journey-{name}.png"), full_page=True)


def test_topic_to_vote_to_decision_to_case(live_server: Any, tw: TopicWorld, cast: CastWorld, browser: Any) -> None:  # noqa: F811
    base = live_server.url
    topic = tw.proposed(place=tw.place(ESTATE_A))
    desk = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    log_in(staff, base, tw.worker.username)
    staff.goto(f"{base}/participate/topics/{topic.pk}/")
    staff.click("#vote-form >> xpath=.. >> summary")
    staff.select_option("#vote-form select[name=vote]", str(cast.vote.pk))
    staff.click("#vote-form button[type=submit]")
    staff.wait_for_selector("#topic-state[data-state=deciding]")
    _shot(staff, "1-deciding")

    phone = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN", is_mobile=True, has_touch=True)
    owner = phone.new_page()
    log_in(owner, base, cast.owner.username)
    owner.goto(f"{base}/participate/ballots/")
    owner.click("a.button.big")
    for q in cast.questions:
        owner.click(f"fieldset[data-question='{q.position}'] label:has(input[value='同意'])")
    owner.click("#ballot-review")
    owner.wait_for_selector("#ballot-check")
    owner.click("#ballot-confirm")
    receipt = owner.text_content("#receipt").strip()
    _shot(owner, "2-receipt")
    for entry in (cast.couple, cast.developer):
        record_in_person(cast.staff(), entry, cast.all_agree())

    assert close_due_votes(now=cast.vote.closes_at + timedelta(minutes=1)) == 1

    staff.reload()
    assert staff.get_attribute("#topic-decision", "data-outcome") == "adopted"
    assert staff.locator("#vote-tally tr[data-passed='1']").count() == len(cast.questions)
    staff.fill("#case-form textarea[name=text]", "按业主表决结果更换电梯，请物业报价并组织施工。")
    staff.click("#case-form button[type=submit]")
    staff.wait_for_selector("#follow-ups li")
    assert staff.get_attribute("#topic-state", "data-state") == "following_up"
    assert TopicCase.objects.filter(topic=topic).count() == 1
    _shot(staff, "3-decided-case")

    owner.goto(f"{base}/participate/ballots/{cast.vote.pk}/result/")
    owner.fill("input[name=receipt]", receipt)
    owner.click("#receipt-check button[type=submit]")
    owner.wait_for_selector("#receipt-found")
    _shot(owner, "4-receipt-found")
    desk.close()
    phone.close()
