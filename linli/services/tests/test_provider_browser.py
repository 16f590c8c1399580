"""A service provider on a phone (390 × 844, touch): logs in, opens the service request matched and given
to it, accepts it, answers it, and is refused the URL of a request it was never given."""

from __future__ import annotations

from typing import Any

import pytest

from linli.accounts.choices import Role
from linli.cases.choices import CaseState
from linli.cases.models import Case
from linli.services.actions import assign_to_provider
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

from .world import make_catalogue, service_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"service-provider-{name}.png"), full_page=True)


def test_provider_answers_a_matched_request_and_cannot_open_another(
    live_server: Any,
    world: Any,
    browser: Any,  # noqa: F811
) -> None:
    cat = make_catalogue(world)
    mine = assign_to_provider(world.users[Role.STREET_DISPATCHER], service_case(world, cat.matter), cat.street)
    other = service_case(world, cat.matter, title="别家的保洁请求")
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))

    log_in(page, live_server.url, cat.wide_user.username)
    page.wait_for_selector("h1")
    page.goto(f"{live_server.url}/cases/{mine.pk}/")
    sync_api.expect(page.locator("#case-title")).to_have_text("家里需要保洁")
    sync_api.expect(page.locator("#lead-unit")).to_contain_text("全区养老驿站")
    _shot(page, "1-request")

    page.locator("button[data-action=accept]").tap()
    sync_api.expect(page.locator("#case-title")).to_have_attribute("data-state", CaseState.ACCEPTED)
    page.locator("[data-action-panel=resolve] summary").tap()
    page.locator("[data-action-panel=resolve] textarea[name=answer]").fill("已上门完成保洁，并约好下周复查")
    _shot(page, "2-answer")
    page.locator("[data-action-panel=resolve] button[data-action=resolve]").tap()
    sync_api.expect(page.locator("#case-answer")).to_contain_text("已上门完成保洁")
    _shot(page, "3-answered")
    assert Case.objects.get(pk=mine.pk).state == CaseState.RESOLVED
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"

    response = page.goto(f"{live_server.url}/cases/{other.pk}/")
    assert response is not None and response.status in (403, 404), response and response.status
    assert "别家的保洁请求" not in page.content()
    _shot(page, "4-refused")
    assert not problems, problems
    context.close()
