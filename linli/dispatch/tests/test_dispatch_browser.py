"""A dispatcher's journey: try the engine on a message, see the decision and why, then override one."""

from __future__ import annotations

import pytest

from linli.accounts.choices import Role
from linli.dispatch import actions, services
from linli.tests.test_browser import log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_dispatcher_tries_the_engine_and_overrides_a_decision(
    live_server, world, matter, model_dir, train_sample, held_sample, fitted, page
):
    actions.train_candidate(None, train=train_sample, held_out=held_sample, note="test", fit=lambda _e: fitted)
    log_in(page, live_server.url, world.users[Role.STREET_DISPATCHER].username)
    page.click("header nav a:has-text('智能派单')")
    page.click("a:has-text('试用智能派单')")
    page.fill("#id_title", "甲园小区路面脏")
    page.fill("#id_body", "道路保洁不及时，路面垃圾很多，请尽快清扫")
    page.fill("#id_address", "甲一社区甲园小区1号楼")
    page.click("#try-form button[type=submit]")
    result = page.locator("#decision-result")
    result.wait_for()
    text = result.inner_text()
    assert "1号楼" in text  # the address resolved down to the building
    assert "城乡建设" in text and page.locator("#decision-result table tr").count() == 4

    _decision, stored = services.decide_and_record(None, "路面脏", "甲一社区甲园小区道路保洁不及时")
    page.goto(f"{live_server.url}/dispatch/decisions/{stored.pk}/")
    page.select_option("#id_matter", str(matter.pk))
    page.select_option("#id_unit", str(world.units["street_a"].pk))
    page.fill("#id_reason", "门前道路由街道负责")
    page.click("#correction-form button[type=submit]")
    page.wait_for_selector("text=甲街道办事处")
    stored.refresh_from_db()
    assert stored.final_unit == world.units["street_a"] and stored.corrected_by == world.users[Role.STREET_DISPATCHER]
