"""Care visits in a real browser on a phone (390 × 844, touch): a grid worker goes from the home page's card to
the list and the form, and is back on the list with the visit saved, in three screens; the map draws the grid
and its people without any tile server. The pages run under the strict Content-Security-Policy, so an inline
script or style would show as an error. Screenshots go to SCREENSHOT_DIR when it is set (docs/screenshots)."""

from __future__ import annotations

import datetime
import io
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.people.actions import care, registry
from linli.people.models import CareVisit, Person
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(out, "JPEG")
    return out.getvalue()


def _phone(browser: Any) -> tuple[Any, Any, list[str]]:  # noqa: F811
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
    return context, page, problems


def _shot(page: Any, number: int) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"care-visit-{number}.png"), full_page=True)


def _people(houses: dict[str, Any], keeper: Any) -> dict[str, Person]:
    start = timezone.localdate() - datetime.timedelta(days=40)
    soon = timezone.localdate() - datetime.timedelta(days=4)  # a weekly visit, due in three days
    made = {}
    for key, house, name, tag, birth in (
        ("late", "a101", "孙秀兰", "advanced_age", "1938-02-02"),
        ("soon", "a102", "李建国", "living_alone_elderly", "1940-05-05"),
    ):
        person = registry.register_person(
            keeper, place=houses[house], name=name, residency="户籍", birth_date=birth, phone="13800001234"
        )
        care.add_tag(keeper, person, tag=tag, source="civil_affairs", valid_from=start if key == "late" else soon)
        made[key] = person
    return made


def test_grid_worker_logs_a_visit_in_three_screens(
    live_server: Any,
    world: Any,
    houses: Any,
    keeper: Any,
    browser: Any,  # noqa: F811
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # the live server runs in this process: the photo lands here
    people = _people(houses, keeper)
    late = people["late"]
    context, page, problems = _phone(browser)
    log_in(page, live_server.url, world.users[Role.GRID_WORKER].username)
    page.wait_for_selector("h1[data-role=grid_worker]")
    screens: list[str] = [urlsplit(page.url).path]  # screen 1: the home page
    page.on(
        "framenavigated", lambda frame: screens.append(urlsplit(frame.url).path) if frame == page.main_frame else None
    )
    sync_api.expect(page.locator("#care-overdue")).to_have_text("1")
    _shot(page, 1)

    page.locator("#care-card").tap()  # screen 2: my visits, due first
    page.wait_for_selector("h1[data-page=care-list]")
    rows = page.locator("#care-list [data-person]")
    assert rows.first.get_attribute("data-person") == str(late.pk)  # overdue first
    _shot(page, 2)

    page.locator(f'[data-visit="{late.pk}"]').tap()  # screen 3: the visit form
    page.wait_for_selector("h1[data-page=care-visit]")
    sync_api.expect(page.locator("#visit-name")).to_have_text("孙秀兰")
    choice = page.locator("label.care-choice", has_text="需关注").or_(
        page.locator("label.care-choice", has_text="Needs attention")
    )
    box = choice.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a thumb-sized target
    choice.tap()
    page.fill("#id_note", "腿脚不便，已联系家属")
    page.set_input_files("#id_photo", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    assert page.get_attribute("#id_photo", "capture") == "environment"
    _shot(page, 3)
    page.locator("#save-visit").tap()

    page.wait_for_selector("h1[data-page=care-list]")  # back on screen 2, with the message
    sync_api.expect(page.locator(".messages li")).to_contain_text("孙秀兰")
    assert screens == ["/", "/people/care/", f"/people/care/{late.pk}/visit/", "/people/care/"], screens
    assert len(set(screens)) <= 3
    visit = CareVisit.objects.get(person=late)
    assert visit.outcome == "needs_attention" and visit.photo.name.endswith(".jpg")
    late.refresh_from_db()
    assert late.next_visit_due is not None and late.next_visit_due > timezone.localdate()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    assert not problems, problems
    context.close()


def test_map_draws_grid_and_people_without_tiles(
    live_server: Any,
    world: Any,
    houses: Any,
    keeper: Any,
    browser: Any,  # noqa: F811
) -> None:
    people = _people(houses, keeper)
    context, page, problems = _phone(browser)
    log_in(page, live_server.url, world.users[Role.GRID_WORKER].username)
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{live_server.url}/people/care/map/")
    sync_api.expect(page.locator("#care-map")).to_have_attribute("data-markers", "1")  # both at the grid's centre
    assert page.locator("#care-map img.leaflet-tile").count() == 0
    page.locator("#care-map path.leaflet-interactive").last.click()
    popup = page.locator(".leaflet-popup-content")
    sync_api.expect(popup).to_contain_text("孙秀兰")
    sync_api.expect(popup).to_contain_text("李建国")
    link = popup.locator("a").first
    assert link.get_attribute("href") == f"/people/care/{people['late'].pk}/visit/"
    assert not problems, problems
    context.close()
