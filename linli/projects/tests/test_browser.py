"""揭榜 in a real browser on a phone viewport: an organisation's user claims a published project, staff choose
the claim, the organisation reports progress with a photo and reports the project done."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from linli.accounts.choices import Role
from linli.projects.models import Claim, Project
from linli.tests.test_browser import CHROMIUM, browser, log_in  # noqa: F401 (browser is a fixture)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium")]
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    yield context.new_page()
    context.close()


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "site.jpg"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
def test_an_organisation_claims_a_call_and_reports_it_done(
    live_server: Any, world: Any, call: Project, phone: Any, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    provider, staff = world.users[Role.SERVICE_PROVIDER], world.users[Role.COMMUNITY_WORKER]
    log_in(phone, base, provider.username)
    phone.goto(f"{base}/projects/")
    phone.click(f"#open-calls [data-project='{call.pk}'] a")
    phone.fill("#id_organisation", "甲家政公司")
    phone.fill("#id_proposal", "两周内完成扶手安装")
    phone.fill("#id_requested_budget", "4500")
    phone.screenshot(path=str(SHOTS / "project-claim.png"), full_page=True)
    phone.click("#claim-form button[type=submit]")
    phone.wait_for_selector("#claims [data-claim]")
    claim = Claim.objects.get(project=call)

    phone.context.clear_cookies()
    log_in(phone, base, staff.username)
    phone.goto(f"{base}/projects/{call.pk}/")
    phone.click(f"[data-claim='{claim.pk}'] button.choose")
    phone.wait_for_selector("#organisation")

    phone.context.clear_cookies()
    log_in(phone, base, provider.username)
    phone.goto(f"{base}/projects/{call.pk}/")
    phone.click("#start")
    phone.fill("#progress-form textarea[name=text]", "材料已到场，开始施工")
    phone.set_input_files("#progress-form input[type=file]", str(_photo(tmp_path)))
    phone.click("#progress-form button[type=submit]")
    phone.wait_for_selector("#reports img")
    phone.screenshot(path=str(SHOTS / "project-progress.png"), full_page=True)
    phone.fill("#done-form textarea[name=text]", "扶手全部装好")
    phone.click("#done-form button[type=submit]")
    phone.wait_for_selector("#timeline li[data-kind=done]")
    phone.screenshot(path=str(SHOTS / "project-done.png"), full_page=True)
    call.refresh_from_db()
    assert call.state == "done" and call.organisation == "甲家政公司"
    assert call.reports.filter(final=False).get().photos.count() == 1
