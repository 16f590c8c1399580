"""The closed loop end to end through the actions: every step an event on a chain that verifies."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from linli.cases import actions
from linli.cases.choices import CaseState, EventKind
from linli.cases.models import Case
from linli.cases.timeline import verify_all, verify_case

from .conftest import submit

pytestmark = pytest.mark.django_db


def test_submit_return_redispatch_reopen_close(world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    assert case.state == CaseState.SUBMITTED and len(case.number) == 18
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_b"])
    assert case.state == CaseState.DISPATCHED and case.contact_due and case.handle_due
    # The department handler of dept_a is not the lead unit's: refused.
    with pytest.raises(PermissionDenied):
        actions.accept(people["handler"], case)
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    ret = actions.return_case(people["handler"], case, reason="not_our_duty", explanation="属于物业管理范围")
    assert Case.objects.get(pk=case.pk).state == CaseState.RETURNED
    actions.review_return(people["dispatcher"], ret, uphold=True, unit=world.units["street_a"], note="街道兜底")
    case = Case.objects.get(pk=case.pk)
    assert case.lead_unit == world.units["street_a"] and case.accountable_unit == world.units["street_a"]
    case = actions.accept(people["dispatcher"], case)
    case = actions.contact(people["dispatcher"], case, note="已电话联系居民")
    case = actions.resolve(people["dispatcher"], case, answer="已安排清理")
    with pytest.raises(PermissionDenied):
        actions.rate(people["other_resident"], case, rating="satisfied", resolved=True)
    case = actions.rate(people["resident"], case, rating="unsatisfied", resolved=False, comment="没有清理干净")
    assert case.state == CaseState.ACCEPTED and case.reopen_count == 1
    case = actions.resolve(people["dispatcher"], case, answer="已再次清理并拍照")
    case = actions.rate(people["resident"], case, rating="satisfied", resolved=True)
    assert case.state == CaseState.CLOSED
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[0] == EventKind.SUBMITTED and EventKind.REOPENED in kinds and kinds[-1] == EventKind.RATED
    assert verify_case(case) is None
    assert verify_all() == (1, None)


def test_state_table_refuses(world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    with pytest.raises(ValidationError):  # resolve before accept
        actions.resolve(people["dispatcher"], case, answer="x")
    assert Case.objects.get(pk=case.pk).event_count == 2


def test_whistle_and_extension(world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    case = actions.accept(people["dispatcher"], case)
    calls = actions.blow_whistle(people["dispatcher"], case, units=[world.units["dept_a"]], note="联合处置")
    with pytest.raises(PermissionDenied):
        actions.report_whistle(people["other_handler"], calls[0])
    call = actions.report_whistle(people["handler"], calls[0], note="已到场")
    assert call.reported_at and not call.late
    approval = actions.request_approval(people["dispatcher"], case, kind="extension", working_days=3, reason="需协调")
    with pytest.raises(PermissionDenied):  # never approved by the asking unit
        actions.decide_approval(people["dispatcher"], approval, approve=True)
    before = Case.objects.get(pk=case.pk).handle_due
    actions.decide_approval(people["district"], approval, approve=True)
    after = Case.objects.get(pk=case.pk).handle_due
    assert before is not None and after is not None and after > before
    assert verify_all()[1] is None


def test_tampering_is_caught(world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    from linli.cases.models import CaseEvent

    CaseEvent.objects.filter(case=case, seq=1).update(payload={"channel": "hotline"})
    _checked, broken = verify_all()
    assert broken is not None and broken.case_id == case.pk and broken.seq == 1


def test_routing_learns_matters_from_corrections(world: Any, people: dict[str, Any], matter: Any) -> None:
    """A text no keyword names goes to the street (街道兜底); once a dispatcher routed such texts to a matter,
    the next one like them is proposed with that matter, and so its department."""
    from linli.dispatch.engine import decide

    text = "井盖丢失，路口有个大坑很危险"
    first = decide(text, place=world.places["110101001001001E01B01"])
    assert first.matter is None and first.unit == world.units["street_a"]
    for n in range(2):
        case = submit(world, people["resident"], text=f"{text}，第{n}次反映")
        actions.route_case(case.pk)
        actions.dispatch_case(
            people["dispatcher"], Case.objects.get(pk=case.pk), unit=world.units["dept_a"], matter=matter
        )
    again = decide("路口井盖丢失了，很危险", place=world.places["110101001001001E01B01"])
    assert again.matter == matter and again.unit == world.units["dept_a"]
    assert any(matter.name in r and "%" not in r for s in again.suggestions for r in s.reasons)


def test_the_hotline_desk_records_a_callers_rating(world: Any, people: dict[str, Any]) -> None:
    """回访: a caller without an account is called back, and the desk of the place records the rating."""
    case = submit(world, people["dispatcher"], channel="hotline", reporter_name="王女士", reporter_phone="13912345678")
    assert case.reporter_id is None
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    case = actions.accept(people["dispatcher"], case)
    case = actions.resolve(people["dispatcher"], case, answer="已处理")
    with pytest.raises(PermissionDenied):  # another street's desk
        actions.rate(world.outsiders["street_dispatcher"], case, rating="satisfied", resolved=True)
    case = actions.rate(people["district"], case, rating="basic", resolved=True)
    assert case.state == CaseState.CLOSED
    event = case.events.get(kind=EventKind.RATED)
    assert event.actor_label == "热线回访" and event.payload["callback"] is True
