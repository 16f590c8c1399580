"""The case pages for each role: who reaches what (200/403/404 as the scope says), and the action forms
calling the actions, with refusals shown in the user's language."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from linli.cases import actions
from linli.cases.choices import CaseState, EventKind
from linli.cases.models import Case, CaseEvent
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

from .conftest import submit

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    out.seek(0)
    out.name = "evidence.jpg"
    return out


def page(client: Any, user: Any, case: Case) -> Any:
    client.force_login(user)
    return client.get(reverse("cases:case", args=[case.pk]))


def post(client: Any, case: Case, name: str, data: dict[str, Any] | None = None, obj: int | None = None) -> Any:
    url = reverse("cases:act_on", args=[case.pk, name, obj]) if obj else reverse("cases:act", args=[case.pk, name])
    return client.post(url, data or {})


def actions_on(response: Any) -> set[str]:
    import re

    return set(re.findall(r'data-action="([a-z_-]+)"', response.content.decode()))


def test_resident_sees_own_request_in_plain_words(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"], reporter_phone=PHONE, reporter_name="张三")
    client.force_login(people["resident"])
    queue = client.get(reverse("cases:queues"))
    assert queue.status_code == 200 and f'data-case="{case.pk}"' in queue.content.decode()
    response = client.get(reverse("cases:case", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "等待派单" in html or "waiting to be sent" in html
    assert PHONE not in html and "139****5678" in html  # their own phone, masked all the same
    assert actions_on(response) == set()  # nothing to do before it is answered
    assert client.get(reverse("cases:queues") + "?tab=dispatch").status_code == 403
    assert client.get(reverse("cases:queues") + "?tab=nonsense").status_code == 404


def test_the_resident_reads_where_a_return_went_not_the_units_argument(
    client: Any, world: Any, people: dict[str, Any]
) -> None:
    case = submit(world, people["resident"])
    actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    ret = actions.return_case(people["handler"], case, reason="overlapping", explanation="应由街道牵头协调各方")
    actions.review_return(people["dispatcher"], ret, uphold=True, unit=world.units["street_a"], note="街道兜底处理")
    mine = page(client, people["resident"], case).content.decode()
    assert "甲街道办事处" in mine and "应由街道牵头协调各方" not in mine and "街道兜底处理" not in mine
    theirs = page(client, people["dispatcher"], case).content.decode()
    assert "应由街道牵头协调各方" in theirs and "街道兜底处理" in theirs


def test_other_people_get_404(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    for who in ("other_resident", "other_handler"):
        assert page(client, people[who], case).status_code == 404
    for who in ("dispatcher", "handler", "secretary", "grid", "district"):
        assert page(client, people[who], case).status_code == 200, who
    client.logout()
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 302  # to the login page


def test_dispatcher_dispatches_from_the_queue(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    client.force_login(people["dispatcher"])
    queue = client.get(reverse("cases:queues"))  # the dispatch queue is where a dispatcher starts
    assert 'data-tab="dispatch"' in queue.content.decode() and f'data-case="{case.pk}"' in queue.content.decode()
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert {"dispatch", "merge", "invalid"} <= actions_on(response)
    assert "accept" not in actions_on(response)  # not the lead unit
    done = post(client, case, "dispatch", {"unit": world.units["dept_a"].pk, "note": "城管职责"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED and case.lead_unit == world.units["dept_a"]
    # A department the street may not send work to is refused with the form's own error, nothing written.
    events = case.event_count
    refused = post(client, case, "dispatch", {"unit": world.units["street_b"].pk})
    assert refused.status_code == 400 and 'id="panel-dispatch"' in refused.content.decode()
    assert Case.objects.get(pk=case.pk).event_count == events


def test_handler_accepts_contacts_and_resolves_with_photos(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    client.force_login(people["handler"])
    unit_queue = client.get(reverse("cases:queues") + "?tab=unit")
    assert f'data-case="{case.pk}"' in unit_queue.content.decode()
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert {"accept", "contact", "return", "escalate", "request_approval"} <= actions_on(response)
    assert "dispatch" not in actions_on(response) and "reveal" not in actions_on(response)
    assert post(client, case, "accept").status_code == 302
    empty = post(client, case, "contact", {"note": "  "})
    assert empty.status_code == 400 and "errorlist" in empty.content.decode()
    assert post(client, case, "contact", {"note": "已电话联系"}).status_code == 302
    url = reverse("cases:act", args=[case.pk, "resolve"])
    assert client.post(url, {"answer": "已清理完毕", "photos": [jpeg(), jpeg()]}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED and case.photos.filter(stage="evidence").count() == 2
    # Dispatching is not the handler's: refused as a permission, not as a form error.
    assert post(client, case, "dispatch", {"unit": world.units["dept_a"].pk}).status_code == 403


def test_fake_photo_is_refused_in_chinese(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    actions.accept(people["handler"], case)
    client.force_login(people["handler"])
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "x.jpg"
    response = client.post(reverse("cases:act", args=[case.pk, "resolve"]), {"answer": "好了", "photos": [fake]})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).state == CaseState.ACCEPTED
    assert "<script>alert(1)" not in response.content.decode()


def test_resident_rates_on_the_page(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    case = actions.accept(people["dispatcher"], case)
    actions.resolve(people["dispatcher"], case, answer="已安排清理")
    client.force_login(people["resident"])
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert actions_on(response) == {"rate"} and "已安排清理" in response.content.decode()
    assert (
        post(client, case, "rate", {"rating": "unsatisfied", "resolved": "no", "comment": "没扫干净"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED and case.reopen_count == 1
    # Someone else's request cannot be rated, and is not even found.
    client.force_login(people["other_resident"])
    assert post(client, case, "rate", {"rating": "satisfied", "resolved": "yes"}).status_code == 404


def test_return_and_review_through_the_pages(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    client.force_login(people["handler"])
    assert post(client, case, "return", {"reason": "bogus", "explanation": "x"}).status_code == 400
    assert post(client, case, "return", {"reason": "not_our_duty", "explanation": "属物业"}).status_code == 302
    ret = case.returns.get()
    client.force_login(people["dispatcher"])
    returned = client.get(reverse("cases:queues") + "?tab=returned")
    assert f'data-case="{case.pk}"' in returned.content.decode()
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert "review" in actions_on(response) and f'id="panel-review-{ret.pk}"' in response.content.decode()
    # Rejecting needs a note: the action says so, on the form.
    assert post(client, case, "review", {"outcome": "reject", "note": ""}, obj=ret.pk).status_code == 400
    data = {"outcome": "uphold", "unit": world.units["street_a"].pk, "note": "街道兜底"}
    assert post(client, case, "review", data, obj=ret.pk).status_code == 302
    case.refresh_from_db()
    assert case.lead_unit == world.units["street_a"] and case.state == CaseState.DISPATCHED
    assert post(client, case, "review", data, obj=ret.pk).status_code == 404  # reviewed: no longer offered


def test_whistle_report_and_approval(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    client.force_login(people["dispatcher"])
    blown = post(client, case, "whistle", {"units": [world.units["dept_a"].pk], "note": "联合处置"})
    assert blown.status_code == 302
    call = case.whistle_calls.get()
    client.force_login(people["handler"])
    assert f'data-case="{case.pk}"' in client.get(reverse("cases:queues") + "?tab=whistles").content.decode()
    assert post(client, case, "report", {"note": "已到场"}, obj=call.pk).status_code == 302
    call.refresh_from_db()
    assert call.reported_at is not None
    client.force_login(people["other_handler"])
    assert post(client, case, "report", {}, obj=call.pk).status_code == 404
    # The street asks for more time; the district approves it, the street cannot approve its own.
    client.force_login(people["dispatcher"])
    data = {"kind": "extension", "working_days": 3, "reason": "需协调"}
    assert post(client, case, "request_approval", data).status_code == 302
    approval = case.approvals.get()
    assert "decide" not in actions_on(client.get(reverse("cases:case", args=[case.pk])))
    client.force_login(people["district"])
    assert f'data-case="{case.pk}"' in client.get(reverse("cases:queues") + "?tab=approvals").content.decode()
    assert post(client, case, "decide", {"decision": "approve"}, obj=approval.pk).status_code == 302
    approval.refresh_from_db()
    assert approval.state == "approved"


def test_reveal_is_logged_and_only_for_roles_that_need_it(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"], reporter_phone=PHONE, reporter_name="张三")
    actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    actions.set_co_units(people["dispatcher"], case, [world.units["dept_b"]])
    # A co-handling department reads the case but does not call the resident: masked, and no reveal.
    client.force_login(people["other_handler"])
    assert PHONE not in client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert client.post(reverse("cases:reveal", args=[case.pk])).status_code == 403
    # The lead unit must call the resident back (DESIGN §4): it may reveal, and that is logged.
    client.force_login(people["handler"])
    assert 'data-action="reveal"' in client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert client.post(reverse("cases:reveal", args=[case.pk]), HTTP_HX_REQUEST="true").status_code == 200
    client.force_login(people["dispatcher"])
    html = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert PHONE not in html and "张*" in html and 'data-action="reveal"' in html
    shown = client.post(reverse("cases:reveal", args=[case.pk]), HTTP_HX_REQUEST="true")
    assert shown.status_code == 200 and PHONE in shown.content.decode() and "张三" in shown.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED, target_id=str(case.pk)).count() == 2
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PERSONAL_DATA_VIEWED).exists()


def test_photos_are_served_only_within_scope(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"], photos=[jpeg()])
    photo = case.photos.get()
    url = reverse("cases:photo", args=[photo.pk])
    client.force_login(people["resident"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert f'src="{url}"' in client.get(reverse("cases:case", args=[case.pk])).content.decode()
    client.force_login(people["other_resident"])
    assert client.get(url).status_code == 404
    assert "/media/" not in client.get(reverse("cases:case", args=[case.pk])).content.decode()


def test_merge_offers_similar_cases_and_merges(client: Any, world: Any, people: dict[str, Any]) -> None:
    first = submit(world, people["resident"], "小区门口垃圾堆放多日无人清理，气味很大")
    second = submit(world, people["other_resident"], "门口垃圾堆放多日无人清理")
    unrelated = submit(world, people["resident"], "楼道灯坏了晚上很黑")
    client.force_login(people["dispatcher"])
    html = client.get(reverse("cases:case", args=[second.pk])).content.decode()
    assert f'data-candidate="{first.pk}"' in html and f'data-candidate="{unrelated.pk}"' not in html
    assert post(client, second, "merge", {"primary": "123"}).status_code == 400
    assert post(client, second, "merge", {"primary": first.number}).status_code == 302
    second.refresh_from_db()
    assert second.state == CaseState.MERGED and second.merged_into == first


def test_timeline_shows_every_step(client: Any, world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    case = actions.accept(people["handler"], case)
    actions.add_note(people["handler"], case, note="内部：等待材料")
    actions.add_note(people["handler"], case, note="已安排人员", public=True)
    staff = page(client, people["dispatcher"], case).content.decode()
    assert staff.count("data-event=") == 5 and "内部：等待材料" in staff and "城管委" in staff
    resident = page(client, people["resident"], case).content.decode()
    assert resident.count("data-event=") == 4 and "内部：等待材料" not in resident and "已安排人员" in resident


def test_stored_markup_stays_text_everywhere(client: Any, world: Any, people: dict[str, Any]) -> None:
    """Markup is refused at the door; text that got in anyway (legacy rows, hand edits) is still inert."""
    from linli.tests.hostile import HOSTILE

    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    case = actions.accept(people["dispatcher"], case)
    case = actions.resolve(people["dispatcher"], case, answer="好")
    Case.objects.filter(pk=case.pk).update(title=HOSTILE, body=HOSTILE, answer=HOSTILE, address=HOSTILE)
    CaseEvent.objects.filter(case=case, kind=EventKind.RESOLVED).update(payload={"answer": HOSTILE})
    urls = [
        (people["dispatcher"], reverse("cases:case", args=[case.pk])),
        (people["resident"], reverse("cases:case", args=[case.pk])),
        (people["resident"], reverse("cases:queues")),
        (people["dispatcher"], reverse("cases:search") + "?q=img"),
        (None, reverse("board:list")),
        (None, reverse("board:case", args=[case.pk])),
    ]
    for user, url in urls:
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        html = client.get(url).content.decode()
        assert "<script>window.__pwned" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&lt;img" in html, url


def test_remaining_forms_call_their_actions(client: Any, world: Any, people: dict[str, Any], matter: Any) -> None:
    case = submit(world, people["resident"])
    client.force_login(people["dispatcher"])
    data = {"unit": world.units["street_a"].pk, "co_units": [world.units["dept_a"].pk], "matter": matter.pk}
    assert post(client, case, "dispatch", data).status_code == 302
    assert post(client, case, "co_units", {"co_units": []}).status_code == 302
    assert post(client, case, "note", {"note": "已派人查看", "public": "on"}).status_code == 302
    data = {"kind": "suspension", "reason": "等待施工队"}
    assert post(client, case, "request_approval", data).status_code == 302
    client.force_login(people["district"])
    approval = case.approvals.get()
    assert post(client, case, "decide", {"decision": "approve"}, obj=approval.pk).status_code == 302
    client.force_login(people["dispatcher"])
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED and "resume" in actions_on(
        client.get(reverse("cases:case", args=[case.pk]))
    )
    assert post(client, case, "resume").status_code == 302
    assert post(client, case, "escalate", {"why": "超出街道处置能力"}).status_code == 302
    case.refresh_from_db()
    assert case.lead_unit == world.units["command"] and case.state == CaseState.DISPATCHED
    # Verification on site: the matter is an urban-management event, so the grid worker checks the answer.
    from linli.orgs.models import Matter

    Matter.objects.filter(pk=matter.pk).update(case_type="事件")
    client.force_login(people["district"])
    case = actions.accept(people["district"], case)
    actions.resolve(people["district"], case, answer="已处理")
    client.force_login(people["resident"])
    assert "rate" not in actions_on(client.get(reverse("cases:case", args=[case.pk])))  # checked on site first
    client.force_login(people["grid"])
    assert "verify" in actions_on(client.get(reverse("cases:case", args=[case.pk])))
    assert post(client, case, "verify", {"result": "passed", "note": "现场已清理"}).status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.VERIFIED
    other = submit(world, people["resident"], "测试")
    client.force_login(people["dispatcher"])
    assert post(client, other, "invalid", {"reason": "test", "explanation": "测试数据"}).status_code == 302
    assert Case.objects.get(pk=other.pk).state == CaseState.INVALID
