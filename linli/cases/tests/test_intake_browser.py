"""The intake pages in a real browser on a phone's viewport (375 px): the resident's cascading picker, map
point and preview step; the grid worker's report from the phone's position in at most three screens. The
pages run under the strict Content-Security-Policy, so any inline script or style would show as an error."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from linli.cases.models import Case
from linli.orgs.models import Matter
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (60, 40), "green").save(out, "JPEG")
    return out.getvalue()


def _phone(browser: Any, **options: Any) -> tuple[Any, Any, list[str]]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, **options)
    page = context.new_page()
    problems: list[str] = []
    # Script errors and CSP refusals show on the console; failed loads are checked by their answers, since the
    # console does not say which address failed (the browser's own /favicon.ico is none of ours).
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


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"intake-{name}.png"), full_page=True)


def test_resident_picks_the_building_previews_and_submits(live_server: Any, world: Any, browser: Any) -> None:  # noqa: F811
    context, page, problems = _phone(browser)
    log_in(page, live_server.url, world.users["resident"].username)
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{live_server.url}/report/")
    page.fill("#id_body", "小区门口路面脏乱，垃圾堆放多日无人清理")
    for level, name in enumerate(["东城区", "甲街道", "甲一社区居委会", "甲园小区"], start=1):
        page.select_option(f'#place-picker select[data-level="{level}"]', label=name)
        page.wait_for_selector(f'#place-picker:not(.htmx-settling) select[data-level="{level + 1}"]', timeout=10_000)
    page.select_option('#place-picker select[data-level="5"]', label="1号楼")  # the finest level here
    page.wait_for_load_state("networkidle")
    page.click("#map")  # a tap on the map sets a point; the picked building still wins
    sync_api.expect(page.locator("#point-label")).not_to_be_empty()
    page.fill("#id_reporter_phone", "13800001111")
    page.check("#id_consent")
    page.click("#preview-button")
    sync_api.expect(page.locator("#preview-unit")).to_be_visible(timeout=10_000)
    sync_api.expect(page.locator("#preview-place")).to_contain_text("1号楼")
    _shot(page, "resident-preview")
    page.click("#submit-request")
    sync_api.expect(page.locator("#case-number")).to_be_visible(timeout=10_000)
    _shot(page, "resident-done")
    case = Case.objects.get()
    assert page.inner_text("#case-number") == case.number and case.place.code.endswith("E01B01")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    assert not problems, problems
    context.close()


def test_grid_worker_reports_from_the_phone_position_quickly(live_server: Any, world: Any, browser: Any) -> None:  # noqa: F811
    Matter.objects.create(
        code="M01001", name="道路不洁", category="城乡建设", owner_level="district", department_type="urban_management"
    )
    context, page, problems = _phone(
        browser, geolocation={"latitude": 39.9, "longitude": 116.05}, permissions=["geolocation"]
    )
    log_in(page, live_server.url, world.users["grid_worker"].username)
    page.wait_for_selector("h1[data-role]")
    started = time.monotonic()
    page.goto(f"{live_server.url}/report/found/")  # screen 1
    page.set_input_files("#id_photos", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    page.click("[data-geolocate]")
    sync_api.expect(page.locator("#point-label")).to_contain_text("116.05", timeout=10_000)
    page.select_option("#id_matter", label="城乡建设 · 道路不洁")
    _shot(page, "found-form")
    page.click("#submit-request")
    sync_api.expect(page.locator("#case-number")).to_be_visible(timeout=10_000)  # screen 2
    assert time.monotonic() - started < 60
    _shot(page, "found-done")
    case = Case.objects.get()
    assert case.channel == "grid" and case.place.code == "110101001001001" and case.photos.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not problems, problems
    context.close()


def test_hotline_shows_the_callers_history_and_duplicates_while_typing(
    live_server: Any,
    world: Any,
    browser: Any,  # noqa: F811
) -> None:
    from .conftest import submit

    earlier = submit(world, world.users["resident"], reporter_phone="13900002222")
    context, page, problems = _phone(browser)
    page.set_viewport_size({"width": 1200, "height": 900})
    log_in(page, live_server.url, world.users["street_dispatcher"].username)
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{live_server.url}/report/hotline/")
    page.locator("#id_reporter_phone").press_sequentially("13900002222")
    sync_api.expect(page.locator("#caller-cases")).to_contain_text(earlier.number, timeout=10_000)
    page.select_option('#place-picker select[data-level="1"]', label="东城区")
    page.wait_for_selector('#place-picker:not(.htmx-settling) select[data-level="2"]')
    page.select_option('#place-picker select[data-level="2"]', label="甲街道")
    page.wait_for_load_state("networkidle")
    page.evaluate(
        '["htmx:validation:failed","htmx:trigger","htmx:configRequest","htmx:halted","htmx:validation:halted","htmx:beforeRequest"].forEach(n => document.body.addEventListener(n, e => console.log(n, e.target.id||e.target.tagName)))'
    )
    page.locator("#id_body").press_sequentially("小区门口垃圾堆放好几天了没人清理")
    sync_api.expect(page.locator("#duplicate-cases")).to_contain_text(earlier.number, timeout=10_000)
    page.check("#id_consent")
    _shot(page, "hotline")
    page.click("#submit-request")
    sync_api.expect(page.locator("#case-number")).to_be_visible(timeout=10_000)
    assert Case.objects.latest("id").channel == "hotline"
    assert not problems, problems
    context.close()
