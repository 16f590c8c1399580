"""The dashboards in a real browser, on a small demo city: the community's, the street's and the district's, each
with its charts drawn, the map shaded and re-shaded, the lazy parts loaded, under the strict
Content-Security-Policy (an inline script or style, or a script error, shows on the console)."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from conftest import PASSWORD
from linli.accounts.models import User
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, log_in_with_code, sync_api  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The demo's accounts: its community worker, its street's dispatcher and district command (two-factor).
LEVELS = (("community", "community", False), ("street", "street", False), ("district", "district", True))


def _watch(page: Any) -> list[str]:
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
    return problems


def test_dashboards_at_every_level_draw_without_errors(
    live_server: Any,
    browser: Any,  # noqa: F811
    settings: Any,
    monkeypatch: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    _one_at_a_time(live_server, monkeypatch)
    call_command("build_demo_city", "--quiet", "--cases", "1500", "--persons", "0")
    today = timezone.localdate()
    year = f"from={today - datetime.timedelta(days=364):%Y-%m-%d}&to={today:%Y-%m-%d}"
    for level, username, second_factor in LEVELS:
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        problems = _watch(page)
        if second_factor:
            log_in_with_code(page, live_server.url, user)
        else:
            log_in(page, live_server.url, username)
        page.wait_for_selector("h1[data-role]")
        page.click("#dashboard-link")  # from the home page to the viewer's own area
        sync_api.expect(page.locator("h1#dashboard")).to_have_attribute("data-level", level)
        page.goto(page.url.split("?")[0] + "?" + year)
        sync_api.expect(page.locator("#dashboard-map")).to_have_attribute("data-areas", _positive(), timeout=15_000)
        for chart in ("trend", "categories", "forecast"):
            sync_api.expect(page.locator(f'[data-chart="{chart}"]')).to_have_attribute(
                "data-drawn", "1", timeout=15_000
            )
            assert page.evaluate(
                'name => !!echarts.getInstanceByDom(document.querySelector(`[data-chart="${name}"]`))'
                ".getOption().toolbox[0].feature.saveAsImage",
                chart,
            ), f"{level} {chart}: no image export"
        sync_api.expect(page.locator("#recurring-list")).to_be_attached(timeout=15_000)
        page.select_option("#map-measure", "satisfaction")
        sync_api.expect(page.locator("#dashboard-map")).to_have_attribute("data-measure", "satisfaction")
        page.hover("#dashboard-map path.leaflet-interactive >> nth=0")
        sync_api.expect(page.locator(".leaflet-tooltip")).to_contain_text("·")
        export = page.request.get(live_server.url + page.locator("#dashboard-export").get_attribute("href"))
        assert export.status == 200 and export.body()[:2] == b"PK"  # an .xlsx is a zip
        page.wait_for_load_state("networkidle")
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.mouse.move(0, 0)
            page.screenshot(path=str(SCREENSHOTS / f"dashboard-{level}.png"), full_page=True)
        assert not problems, (level, problems)
        context.close()


def _one_at_a_time(live_server: Any, monkeypatch: Any) -> None:
    """The dashboard asks for its lazy parts and its map together. On SQLite the test database lives in memory:
    one connection, shared by the live server's request threads, which two requests at once would use at
    once. So the server's application answers one request at a time (its body read out under the lock)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    server = live_server.thread.httpd
    app, lock = server.get_app(), threading.Lock()

    def serial(environ: Any, start_response: Any) -> list[bytes]:
        with lock:
            result = app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()

    monkeypatch.setattr(server, "application", serial)


def _positive() -> Any:
    import re

    return re.compile(r"^[1-9][0-9]*$")
