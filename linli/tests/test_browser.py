"""User journeys in a real browser: Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD
from linli.accounts.choices import Role
from linli.accounts.sms import MemorySMSBackend

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "")) if os.environ.get("SCREENSHOT_DIR") else None
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#password-login button[type=submit]")


def log_in_with_code(page: Any, base: str, user: Any) -> None:
    """Platform admins, district command and auditors also type the code from their authenticator app."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
    log_in(page, base, user.username)
    page.wait_for_selector("#otp-login")
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.click("#otp-login button[type=submit]")


HOME_MARKERS = {
    Role.GRID_WORKER: "grid_worker",
    Role.COMMUNITY_WORKER: "community",
    Role.COMMUNITY_SECRETARY: "community",
    Role.STREET_DISPATCHER: "street_dispatcher",
    Role.DEPARTMENT_HANDLER: "department_handler",
    Role.DISTRICT_COMMAND: "district_command",
    Role.VOLUNTEER: "volunteer",
    Role.SERVICE_PROVIDER: "service_provider",
    Role.AUDITOR: "auditor",
    Role.RESIDENT: "resident",
    Role.PLATFORM_ADMIN: "platform_admin",
}


@pytest.mark.django_db(transaction=True)
def test_every_role_logs_in_and_sees_its_home(live_server, world, page):
    for role, marker in HOME_MARKERS.items():
        user = world.admin if role == Role.PLATFORM_ADMIN else world.users[role]
        if role in (Role.PLATFORM_ADMIN, Role.DISTRICT_COMMAND, Role.AUDITOR):
            log_in_with_code(page, live_server.url, user)
        else:
            log_in(page, live_server.url, user.username)
        page.wait_for_selector(f'h1[data-role="{marker}"]', timeout=10_000)
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"home-{role}.png"), full_page=True)
        page.click("header form button.link[type=submit]:has-text('退出')")
        page.wait_for_selector("#password-login")


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_a_chinese_error(live_server, world, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", world.users[Role.GRID_WORKER].username)
    page.fill("#id_password", "wrong")
    page.click("#password-login button[type=submit]")
    # The click submits the form; is_visible() alone would read the old page before the answer arrives.
    sync_api.expect(page.locator("text=用户名或密码错误")).to_be_visible(timeout=10_000)


@pytest.mark.django_db(transaction=True)
def test_resident_logs_in_on_a_phone_with_a_code(live_server, settings, page):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/?tab=phone")
    page.fill("#id_phone", "13912345678")
    page.click("#phone-login button[type=submit]")
    page.wait_for_selector("#id_code")
    code = re.search(r"\d{6}", MemorySMSBackend.outbox[-1][1]).group(0)
    page.fill("#id_code", code)
    page.click("#phone-login button[type=submit]")
    page.wait_for_selector('h1[data-role="resident"]', timeout=10_000)
    if SCREENSHOTS is not None:
        page.screenshot(path=str(SCREENSHOTS / "resident-phone.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_community_worker_imports_a_bad_file_and_sees_every_bad_row(live_server, world, page, tmp_path):
    bad = tmp_path / "grids.csv"
    bad.write_text(
        "code,name,level,parent_code,contact_phone\n"
        "110101001001003,新网格,grid,110101001001,13912345678\n"
        "110101001001004,孤儿,grid,110101009999,\n"
        "110101001001005,坏电话,grid,110101001001,12345\n",
        encoding="utf-8",
    )
    log_in(page, live_server.url, world.users[Role.COMMUNITY_WORKER].username)
    page.goto(f"{live_server.url}/places/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("form.stack button[type=submit]")
    errors = page.locator("#import-errors")
    errors.wait_for()
    rows = errors.locator("tr td:first-child").all_inner_texts()
    assert rows == ["3", "4"]
    if SCREENSHOTS is not None:
        page.screenshot(path=str(SCREENSHOTS / "import-errors.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_dispatcher_asks_who_is_responsible(live_server, world, matter, page):
    log_in(page, live_server.url, world.users[Role.STREET_DISPATCHER].username)
    page.goto(f"{live_server.url}/orgs/responsibility/")
    page.select_option("#id_matter", str(matter.pk))
    page.fill("#id_address", "甲一社区甲园小区1号楼")
    page.click("form.stack button[type=submit]")
    answer = page.locator("#responsibility-answer")
    answer.wait_for()
    assert "城管委" in answer.inner_text()


@pytest.mark.django_db(transaction=True)
def test_grid_lookup_by_point_with_htmx(live_server, world, page):
    log_in_with_code(page, live_server.url, world.users[Role.DISTRICT_COMMAND])
    page.goto(f"{live_server.url}/places/resolve/")
    page.fill("#id_longitude", "116.05")
    page.fill("#id_latitude", "39.9")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("#resolve-result")
    assert "甲一第1网格" in page.locator("#resolve-result").inner_text()
    assert page.url.endswith("/places/resolve/")  # answered in place by htmx, no reload
