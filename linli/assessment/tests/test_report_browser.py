"""The monthly assessment report in a real browser: a street dispatcher opens the report page of its street
office, sees the figures with their formulas, downloads the PDF and the Excel workbook, and rates an exchange
with one tap on the "to rate" list (HTMX swaps the row). The pages run under the strict Content-Security-Policy,
so an inline script or style would show as an error. A screenshot goes to SCREENSHOT_DIR when it is set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from linli.accounts.choices import Role
from linli.assessment.models_reverse import ExchangeRating
from linli.assessment.tests.test_reports import month_cases  # noqa: F401
from linli.assessment.tests.test_reverse import cases  # noqa: F401
from linli.tests.test_browser import SCREENSHOTS, browser, log_in, sync_api  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(  # a missing favicon is the browser's own request; the response handler sees every real one
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    return problems


def test_street_reads_its_monthly_report(
    live_server: Any,
    world: Any,
    people: dict[str, Any],
    month_cases: dict[str, Any],  # noqa: F811
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    street = world.units["street_a"]
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    problems = _watch(page)
    log_in(page, live_server.url, world.users[Role.STREET_DISPATCHER].username)
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{live_server.url}/assessment/reports/")
    month = f"{timezone.localdate().replace(day=1):%Y-%m}"
    page.locator(f'#report-units tr[data-unit="{street.pk}"] a').first.click()  # last month's, by default
    page.wait_for_selector("h1[data-page=assessment-report]")
    page.locator(f'.report-actions a[href$="/{month}/"]').click()  # on to this month, which holds the cases
    page.wait_for_url(f"**/assessment/reports/{street.pk}/{month}/")
    sync_api.expect(page.locator("h1")).to_contain_text(street.name)
    sync_api.expect(page.locator("#stat-cases")).to_have_text("2")
    sync_api.expect(page.locator("#stat-overdue")).to_have_text("1")
    sync_api.expect(page.locator("#stat-rank")).to_have_text("1/2")
    sync_api.expect(page.locator("#section-overdue")).to_contain_text(month_cases["late"].number)
    sync_api.expect(page.locator("#section-rates tr")).to_have_count(11)  # header, nine rates, the composite
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "assessment-report.png"), full_page=True)
    with page.expect_download() as pdf:
        page.locator("#download-pdf").click()
    saved = tmp_path / "report.pdf"
    pdf.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    with page.expect_download() as xlsx:
        page.locator("#download-xlsx").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    assert not problems, problems
    context.close()


def test_one_tap_rating_in_the_browser(
    live_server: Any,
    world: Any,
    people: dict[str, Any],
    cases: dict[str, Any],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    problems = _watch(page)
    log_in(page, live_server.url, world.users[Role.STREET_DISPATCHER].username)
    page.wait_for_selector("h1[data-role]")
    page.goto(f"{live_server.url}/assessment/reverse/")
    rows = page.locator("#to-rate tr[data-exchange]")
    sync_api.expect(rows).to_have_count(4)
    first = rows.first
    key = first.get_attribute("data-exchange")
    first.locator('input[name="comment"]').fill("配合及时")
    first.locator('button[data-score="satisfied"]').click()
    done = page.locator(f'tr[data-exchange="{key}"] [data-rated="satisfied"]')
    sync_api.expect(done).to_be_visible()
    assert page.url.endswith("/assessment/reverse/")  # swapped in place, no page load
    rating = ExchangeRating.objects.get()
    assert rating.comment == "配合及时" and rating.score == "satisfied"
    assert not problems, problems
    context.close()
