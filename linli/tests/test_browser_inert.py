"""Hostile text in every free-text field, opened in a real browser: nothing runs, and the text reads literally.

A CSP violation on any of these pages fails the test as well: it would mean that one of our pages still
carries inline script or style, which the policy (settings.CONTENT_SECURITY_POLICY) blocks.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import SecondFactorClient
from linli.accounts.choices import Role
from linli.places.models import Place
from linli.tests.hostile import HOSTILE, plant, store_decision
from linli.tests.test_browser import browser, page, pytestmark, sync_api  # noqa: F401  (shared with the journeys)

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" "));
});
"""


class Visitor:
    """One browser tab that signs in as a user and records dialogs and CSP reports on the console."""

    def __init__(self, tab: Any, base: str) -> None:
        self.page, self.base = tab, base
        self.console: list[str] = []
        self.dialogs: list[str] = []
        tab.add_init_script(WATCH)
        tab.on("console", lambda msg: self.console.append(msg.text))
        tab.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def sign_in(self, user: Any) -> None:
        # A session made on the server: these checks are about pages, not about the login flow.
        client = SecondFactorClient()
        client.force_login(user)
        self.page.context.clear_cookies()
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": self.base}])

    def open(self, path: str, *texts: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        self.check(path, *texts)

    def check(self, where: str, *texts: str) -> None:
        tab = self.page
        assert tab.evaluate("window.__pwned") is None, f"script ran on {where}"
        assert tab.locator("img[src='x'], svg[onload]").count() == 0, f"markup became elements on {where}"
        body = tab.inner_text("body")
        for text in texts:
            assert text in body, f"{text[:12]!r} not shown literally on {where}"
        violations = tab.evaluate("window.__violations") + [m for m in self.console if "Content Security Policy" in m]
        assert not violations, f"CSP violations on {where}: {violations}"
        assert not self.dialogs, f"dialog on {where}: {self.dialogs}"


@pytest.mark.django_db(transaction=True)
def test_hostile_text_everywhere_stays_text(live_server, world, matter, page):  # noqa: F811
    planted = plant(world, matter)
    district = world.users[Role.DISTRICT_COMMAND]
    decision = store_decision(district, planted["grid1"], HOSTILE, planted["grid2"])
    community = Place.objects.get(code="110101001001")
    street = Place.objects.get(code="110101001000")
    visitor = Visitor(page, live_server.url)

    # The watch itself works: an inline script added to a page is refused and reported, and does not run.
    visitor.sign_in(district)
    visitor.page.goto(live_server.url + reverse("home"))
    visitor.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__pwned = 1';"
        " document.body.appendChild(s); }"
    )
    visitor.page.wait_for_function("window.__violations.length > 0")
    assert visitor.page.evaluate("window.__pwned") is None
    visitor.console.clear()

    visitor.open(reverse("home"), planted["street"])
    visitor.open(reverse("places:detail", args=[street.pk]), planted["street"], planted["community"])
    visitor.open(
        reverse("places:detail", args=[community.pk]), planted["community"], planted["grid1"], planted["grid2"]
    )
    # The map: each grid's tooltip shows its name as text.
    for index, key in [(1, "grid1"), (2, "grid2")]:
        visitor.page.locator("#map path.leaflet-interactive").nth(index).hover()
        tooltip = visitor.page.locator(".leaflet-tooltip").last  # the previous one may still be fading out
        sync_api.expect(tooltip).to_have_text(planted[key], timeout=5_000)
        assert tooltip.locator("img, script, svg").count() == 0
        visitor.check(f"tooltip {key}")
    visitor.open(reverse("places:browse") + "?q=G1", planted["grid1"])
    visitor.open(reverse("orgs:units"), planted["unit_dept"], planted["unit_street"])
    visitor.open(reverse("orgs:matters") + "?q=M", planted["matter"], planted["keyword"], planted["major_class"])
    visitor.open(
        reverse("orgs:responsibility") + f"?matter={matter.pk}&place_code=110101001001001",
        planted["grid1"],
        planted["matter"],
    )
    visitor.open(reverse("dispatch:decisions"), planted["grid1"][:30])
    visitor.open(reverse("dispatch:decision", args=[decision.pk]), planted["grid1"])

    # HTMX fragments swapped into the page: the grid lookup and a dispatch trial with hostile text.
    visitor.open(reverse("places:resolve"))
    visitor.page.fill("#id_longitude", "116.05")
    visitor.page.fill("#id_latitude", "39.9")
    visitor.page.click("form.stack button[type=submit]")
    visitor.page.wait_for_selector("#resolve-result")
    visitor.check("resolve fragment", planted["grid1"])
    visitor.open(reverse("dispatch:try"))
    visitor.page.fill("#id_title", HOSTILE)
    visitor.page.fill("#id_body", "javascript:window.__pwned=1 " + HOSTILE)
    visitor.page.click("#try-form button[type=submit]")
    visitor.page.wait_for_selector("#decision-result")
    visitor.check("dispatch trial fragment")

    for role, keys in [
        (Role.STREET_DISPATCHER, ["community", "unit_street"]),
        (Role.COMMUNITY_WORKER, ["grid1", "grid2"]),
        (Role.DEPARTMENT_HANDLER, ["matter", "unit_dept"]),
        (Role.RESIDENT, ["display_resident"]),
        (Role.AUDITOR, ["grid1", "display_admin"]),
    ]:
        visitor.sign_in(world.users[role])
        visitor.open(reverse("home"), *(planted[k] for k in keys))

    # The Django admin runs under the same policy with no exemption.
    visitor.sign_in(world.admin)
    visitor.open(reverse("home"), planted["grid1"], planted["display_admin"])
    for path, keys in [
        (reverse("admin:places_place_changelist") + "?q=G", ["grid1", "grid2"]),
        (reverse("admin:places_place_change", args=[Place.objects.get(code="110101001001001").pk]), []),
        (reverse("admin:orgs_unit_changelist"), ["unit_dept", "unit_street"]),
        (reverse("admin:orgs_matter_changelist"), ["matter"]),
        (reverse("admin:accounts_user_changelist"), ["display_resident", "display_admin"]),
    ]:
        visitor.open(path, *(planted[k] for k in keys))
