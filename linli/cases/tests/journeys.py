"""What the browser journeys share: a person's logged-in browser that acts on case pages as a user would,
the resident's report on a phone, and the timeline as the case page renders it."""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation

from linli.tests.test_browser import SCREENSHOTS, log_in, log_in_with_code, sync_api

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
expect = sync_api.expect


def zh(label: Any) -> str:
    """A label as the zh-CN pages render it: its translation where django.po has one, else the msgid."""
    with translation.override("zh-hans"):
        return translation.gettext(label) if isinstance(label, str) else str(label)


class Person:
    """One person's browser, logged in once, on the desk or on a phone."""

    def __init__(self, browser: Any, base: str, user: Any, *, phone: bool = False) -> None:
        options = {"is_mobile": True, "has_touch": True} if phone else {}
        self.context = browser.new_context(viewport=PHONE if phone else DESK, locale="zh-CN", **options)
        self.context.set_default_timeout(10_000)
        self.page, self.base, self.user = self.context.new_page(), base, user
        self.problems: list[str] = []
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
            ),
        )
        self.page.on(
            "response",
            lambda r: (
                self.problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
            ),
        )
        from linli.accounts.predicates import requires_two_factor

        if requires_two_factor(user):  # district command types the code from its authenticator app too
            log_in_with_code(self.page, base, user)
        else:
            log_in(self.page, base, user.username)
        self.page.wait_for_selector("h1[data-role]")

    def shot(self, name: str) -> None:
        if SCREENSHOTS is not None:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SCREENSHOTS / f"journey-{name}.png"), full_page=True)

    def open_case(self, pk: int) -> None:
        self.page.goto(f"{self.base}/cases/{pk}/")
        self.page.wait_for_selector(f'h1#case-title[data-case="{pk}"]')

    def from_queue(self, tab: str, pk: int) -> None:
        """Find the case in one of the person's queues and open it from there."""
        self.page.goto(f"{self.base}/cases/?tab={tab}")
        expect(self.page.locator(f'#case-tabs a[data-tab="{tab}"]')).to_have_class("active")
        self.page.click(f'#case-list li[data-case="{pk}"] a.case-title')
        self.page.wait_for_selector(f'h1#case-title[data-case="{pk}"]')

    def act(self, name: str, state: str, **fields: str | list[str]) -> None:
        """Open the action's panel on the case page, fill it in, submit, and land on the case in `state`.

        Fields: text for a text field, an option's label for a select, "check:<value>" for the choice of that
        value (a radio button or a select's option), a list of labels for checkboxes."""
        page = self.page
        panel = page.locator(f'#case-actions [data-action-panel="{name}"]')
        if panel.count():
            panel = panel.first
            if panel.get_attribute("open") is None:
                panel.locator("summary").click()
        else:
            panel = page.locator(f"#case-actions form#panel-{name}")
        for field, value in fields.items():
            if isinstance(value, list):
                for label in value:
                    panel.get_by_label(label, exact=True).check()
            elif value.startswith("check:") and panel.locator(f'select[name="{field}"]').count():
                panel.locator(f'select[name="{field}"]').select_option(value=value[6:])
            elif value.startswith("check:"):
                panel.locator(f'[name="{field}"][value="{value[6:]}"]').check()
            elif panel.locator(f'select[name="{field}"]').count():
                panel.locator(f'select[name="{field}"]').select_option(label=value)
            else:
                panel.locator(f'[name="{field}"]').fill(value)
        with page.expect_navigation():
            panel.locator(f'button[data-action="{name}"]').click()
        errors = page.locator("#case-actions .errors, #case-actions .errorlist")
        assert not errors.count(), errors.all_inner_texts()
        expect(page.locator("ul.messages li.success")).to_be_visible()
        expect(page.locator("h1#case-title")).to_have_attribute("data-state", state)

    def close(self) -> None:
        assert not self.problems, self.problems
        self.context.close()


def submit_on_phone(resident: Person, text: str, *, picker: bool = True) -> int:
    """The resident's report on /report/: text, place, contact and consent; the preview's promise; submit.
    Returns the new case's id, read from the case page the done page links to."""
    page = resident.page
    page.goto(f"{resident.base}/report/")
    page.fill("#id_body", text)
    if picker:
        for level, name in enumerate(["东城区", "甲街道", "甲一社区居委会", "甲园小区"], start=1):
            page.select_option(f'#place-picker select[data-level="{level}"]', label=name)
            page.wait_for_selector(f'#place-picker:not(.htmx-settling) select[data-level="{level + 1}"]')
        page.select_option('#place-picker select[data-level="5"]', label="1号楼")
    else:
        page.fill("#id_address", "甲一社区甲园小区1号楼")
    page.fill("#id_reporter_name", "王芳")
    page.fill("#id_reporter_phone", "13800001111")
    page.check("#id_consent")
    page.click("#preview-button")
    expect(page.locator("#preview-unit")).to_be_visible()
    expect(page.locator("#preview-place")).to_contain_text("1号楼")
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page.inner_text("#preview-deadline")), "the promised moments"
    if picker:
        resident.shot("01-resident-preview")
    page.click("#submit-request")
    expect(page.locator("#case-number")).to_be_visible()
    if picker:
        resident.shot("02-resident-received")
    page.click("#case-link")
    page.wait_for_selector("h1#case-title")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "no sideways scrolling"
    return int(page.get_attribute("h1#case-title", "data-case"))


def timeline(page: Any) -> list[dict[str, str]]:
    rows = page.locator("#timeline > li")
    return [
        {
            "kind": row.get_attribute("data-event"),
            "title": row.locator("strong").first.inner_text(),
            "actor": row.locator(".actor").inner_text(),
            "at": row.locator("time").inner_text(),
            "datetime": row.locator("time").get_attribute("datetime"),
            "text": row.inner_text(),
        }
        for row in rows.all()
    ]
