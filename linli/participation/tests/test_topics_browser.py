"""A deliberation journey in a real browser (issue 19's last acceptance line, its committee branch): a
resident raises a topic on a phone, the community worker opens it, drafts the proposal, decides with minutes,
publishes the result and opens a follow-up case, whose state the topic then shows."""

from __future__ import annotations

from typing import Any

import pytest

from linli.participation.models import Topic, TopicCase
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

from .topics_world import BUILDING_A, TopicWorld, tw_fixture  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"topics-{name}.png"), full_page=True)


def test_topic_to_committee_decision_to_follow_up_case(live_server: Any, tw: TopicWorld, browser: Any) -> None:  # noqa: F811
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, tw.resident.username)
    page.click("#topics-link")
    page.click("#topic-new")
    page.select_option("#id_place", str(tw.place(BUILDING_A).pk))
    page.fill("#id_title", "楼道加装扶手")
    page.fill("#id_body", "老人上下楼不便，建议每层加装扶手。")
    page.click("#topic-form button[type=submit]")
    page.wait_for_selector("#topic-title")
    assert page.inner_text("#topic-raiser") == "王**"
    _shot(page, "raised-phone")
    topic = Topic.objects.get(title="楼道加装扶手")
    phone.close()

    desk = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    log_in(page, live_server.url, tw.worker.username)
    page.goto(f"{live_server.url}/participate/topics/{topic.pk}/")
    page.click("#do-open")
    page.fill("#proposal-form textarea[name=proposal]", "每层加装不锈钢扶手，费用由公共收益支出。")
    page.click("#proposal-form button[type=submit]")
    page.check("#decide-form input[name=outcome][value=adopted]")
    page.fill("#decide-form textarea[name=decision]", "同意加装扶手。")
    page.fill("#decide-form textarea[name=minutes]", "居委会第3次会议：一致同意。")
    page.click("#decide-form button[type=submit]")
    page.click("#do-publish")
    page.fill("#case-form textarea[name=text]", "请物业一个月内在1号楼各层加装扶手。")
    page.click("#case-form button[type=submit]")
    page.wait_for_selector("#follow-ups li")
    link = TopicCase.objects.select_related("case").get(topic=topic)
    state = page.get_attribute("#follow-ups li", "data-case-state")
    assert state == link.case.state
    assert page.get_attribute("#topic-state", "data-state") == "following_up"
    assert "居委会第3次会议" in page.inner_text("#decision-minutes")
    _shot(page, "following-up")
    desk.close()
