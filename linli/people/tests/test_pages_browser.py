"""A community worker on a phone (375 px) in a real browser: finds an elder by her phone number, reveals her
identity number (logged once) and adds a care tag. The pages run under the strict Content-Security-Policy,
so any inline script or style would show as an error."""

from __future__ import annotations

from typing import Any

import pytest

from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.models import CareTag
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

from .pages_world import ELDER_ID, make_folk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def test_community_worker_finds_by_phone_reveals_and_tags(
    live_server: Any,
    world: Any,
    houses: Any,
    keeper: Any,
    browser: Any,  # noqa: F811
) -> None:
    folk = make_folk(world, houses, keeper)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    log_in(page, live_server.url, keeper.username)
    page.wait_for_selector("h1[data-role]")
    page.click("#people-link")
    page.wait_for_selector('h1[data-page="people-search"]')
    page.fill("#id_q", "138 0000 1234")
    page.click('[data-action="search"]')
    row = page.locator(f'#person-list [data-person="{folk.elder.pk}"]')
    sync_api.expect(row).to_be_visible(timeout=10_000)
    sync_api.expect(page.locator("#person-list .person-row")).to_have_count(1)
    sync_api.expect(row).to_contain_text("138****1234")
    row.locator("a.person-name").click()
    masked = page.locator("#shown-id")
    sync_api.expect(masked).to_have_text(ELDER_ID[:6] + "********" + ELDER_ID[-4:], timeout=10_000)
    page.click('[data-action="reveal"]')
    sync_api.expect(page.locator("#shown-id")).to_have_text(ELDER_ID, timeout=10_000)
    sync_api.expect(page.locator("#revealed")).to_be_visible()
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "people-revealed.png"), full_page=True)
    page.click("#panel-add_tag summary")
    page.select_option("#add_tag-tag", "disabled")
    page.select_option("#add_tag-source", "disabled_federation")
    page.fill("#add_tag-source_note", "残联名单")
    page.click('#panel-add_tag button[data-action="add_tag"]')
    sync_api.expect(page.locator('#care-tags [data-tag="disabled"][data-in-force="1"]')).to_be_visible(timeout=10_000)
    sync_api.expect(page.locator("#shown-id")).not_to_have_text(ELDER_ID)  # masked again after the reload
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).count() == 1
    assert CareTag.objects.filter(person=folk.elder, tag="disabled", source_note="残联名单").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    assert not problems, problems
    context.close()
