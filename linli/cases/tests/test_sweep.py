"""The sweep (linli.cases.sweep.run), one pass at a time at chosen moments: overdue marks, supervision,
late whistles, unrated closing, the routing backstop; and a second pass at the same moment changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings

from linli.cases import actions, sweep
from linli.cases.actions.intake import ROUTE_BACKSTOP
from linli.cases.choices import CaseState, EventKind
from linli.cases.models import Case, WhistleCall
from linli.cases.timeline import verify_all
from linli.dispatch.tests.conftest import fitted, held_sample, model_dir, train_sample  # noqa: F401
from linli.notices.models import Notice

from .conftest import submit

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)
NOTHING = {"contact": 0, "handle": 0, "routed": 0, "late_whistles": 0, "closed_unrated": 0}


def kinds(case: Case) -> list[str]:
    return list(case.events.order_by("seq").values_list("kind", flat=True))


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Case.objects.order_by("pk").values_list(
            "pk", "state", "event_count", "last_hash", "contact_overdue", "handle_overdue", "sweep_due_at"
        )
    )


def dispatched(world: Any, people: dict[str, Any], unit: str = "dept_a") -> Any:  # Any: due fields are set
    case: Any = submit(world, people["resident"])
    return actions.dispatch_case(people["dispatcher"], case, unit=world.units[unit])


def test_overdue_is_marked_and_escalated_in_one_pass_and_only_once(
    world: Any, people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    case: Any = dispatched(world, people)
    assert case.sweep_due_at == min(case.contact_due, case.handle_due)
    assert sweep.run(case.contact_due - SECOND) == NOTHING  # not yet due: nothing at all
    before = case.event_count
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep.run(case.handle_due + SECOND)
    assert counts == {**NOTHING, "contact": 1, "handle": 1}
    case.refresh_from_db()
    assert case.handle_overdue and case.contact_overdue and case.escalated_at is not None
    assert case.state == CaseState.DISPATCHED and case.lead_unit == world.units["dept_a"]  # 督办 keeps the unit
    assert kinds(case)[before:] == [EventKind.OVERDUE, EventKind.OVERDUE, EventKind.ESCALATED]
    escalation = case.events.get(kind=EventKind.ESCALATED)
    assert escalation.payload["to"]["name"] == world.units["command"].name
    assert case.sweep_due_at is None  # every deadline marked: nothing left for the sweep to look at
    district = people["district"]
    assert Notice.objects.filter(recipient=district, title__contains="超期督办").count() == 1
    # The second pass at the same moment, and a later one, change nothing and write no event.
    state = snapshot()
    assert sweep.run(case.handle_due + SECOND) == NOTHING
    assert sweep.run(case.handle_due + datetime.timedelta(days=3)) == NOTHING
    assert snapshot() == state and Notice.objects.filter(recipient=district).count() == 1
    assert verify_all() == (1, None)


def test_contact_overdue_alone_keeps_the_handling_deadline_watched(world: Any, people: dict[str, Any]) -> None:
    case: Any = dispatched(world, people)
    assert case.contact_due < case.handle_due
    assert sweep.run(case.contact_due + SECOND) == {**NOTHING, "contact": 1}
    case.refresh_from_db()
    assert case.contact_overdue and not case.handle_overdue and case.escalated_at is None
    assert case.sweep_due_at == case.handle_due  # next moment to look: the handling deadline
    assert sweep.run(case.contact_due + SECOND) == NOTHING
    assert kinds(case).count(EventKind.OVERDUE) == 1


def test_a_contacted_case_is_not_marked_contact_overdue(world: Any, people: dict[str, Any]) -> None:
    case: Any = dispatched(world, people)
    case = actions.accept(people["handler"], case)
    case = actions.contact(people["handler"], case, note="已电话联系")
    assert sweep.run(case.contact_due + SECOND) == NOTHING
    counts = sweep.run(case.handle_due + SECOND)
    assert counts == {**NOTHING, "handle": 1}


def test_a_closed_case_is_let_go(world: Any, people: dict[str, Any]) -> None:
    case: Any = dispatched(world, people, unit="street_a")
    case = actions.accept(people["dispatcher"], case)
    case = actions.resolve(people["dispatcher"], case, answer="已处理")
    assert case.sweep_due_at is None
    # Even a stale due moment left on a resolved row is cleared, not marked.
    Case.objects.filter(pk=case.pk).update(sweep_due_at=case.handle_due)
    assert sweep.run(case.handle_due + SECOND)["handle"] == 0
    assert Case.objects.get(pk=case.pk).sweep_due_at is None


def test_late_whistle_calls(world: Any, people: dict[str, Any]) -> None:
    case: Any = dispatched(world, people, unit="street_a")
    case = actions.accept(people["dispatcher"], case)
    calls = actions.blow_whistle(people["dispatcher"], case, units=[world.units["dept_a"]], note="联合处置")
    call = calls[0]
    assert sweep.run(call.arrive_by - SECOND)["late_whistles"] == 0
    assert sweep.run(call.arrive_by + SECOND)["late_whistles"] == 1
    assert WhistleCall.objects.get(pk=call.pk).late
    assert sweep.run(call.arrive_by + SECOND)["late_whistles"] == 0
    assert kinds(case).count(EventKind.WHISTLE_LATE) == 1
    # A call reported on time is never marked.
    on_time = actions.blow_whistle(people["dispatcher"], case, units=[world.units["dept_a"]], note="再次")[0]
    actions.report_whistle(people["handler"], on_time, note="已到场")
    assert sweep.run(on_time.arrive_by + SECOND)["late_whistles"] == 0
    assert verify_all()[1] is None


def test_unrated_resolved_cases_close_after_the_window(world: Any, people: dict[str, Any]) -> None:
    case: Any = dispatched(world, people, unit="street_a")
    case = actions.accept(people["dispatcher"], case)
    case = actions.resolve(people["dispatcher"], case, answer="已处理")
    window = datetime.timedelta(days=settings.CASE_RATING_WINDOW_DAYS)
    assert sweep.run(case.resolved_at + window - SECOND)["closed_unrated"] == 0
    assert Case.objects.get(pk=case.pk).state == CaseState.RESOLVED
    assert sweep.run(case.resolved_at + window + SECOND)["closed_unrated"] == 1
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and kinds(case)[-1] == EventKind.CLOSED
    assert sweep.run(case.resolved_at + window + SECOND)["closed_unrated"] == 0
    assert kinds(case).count(EventKind.CLOSED) == 1


def test_a_submitted_case_whose_routing_never_ran_is_left_to_a_person_without_a_model(
    world: Any, people: dict[str, Any], matter: Any
) -> None:
    # Submitted in a test transaction: the after-commit routing task is never queued, as if the queue lost it.
    case: Any = submit(world, people["resident"])
    assert case.decision_id is None and case.sweep_due_at == case.created_at + ROUTE_BACKSTOP
    assert sweep.run(case.sweep_due_at - SECOND)["routed"] == 0
    assert Case.objects.get(pk=case.pk).decision_id is None
    counts = sweep.run(case.sweep_due_at + SECOND)
    case.refresh_from_db()
    # No trained model: the engine is asked, its decision linked, and the case waits in the dispatch queue.
    assert counts["routed"] == 0 and case.decision_id is not None
    assert case.state == CaseState.SUBMITTED and case.sweep_due_at is None
    decision = case.decision_id
    sweep.run(case.created_at + ROUTE_BACKSTOP + datetime.timedelta(minutes=5))
    assert Case.objects.get(pk=case.pk).decision_id == decision  # asked once, not at every pass


@pytest.fixture
def engine_model(world: Any, request: Any) -> Any:
    """The dispatch tests' small fitted model, promoted: the engine may now dispatch on its own."""
    from linli.dispatch.actions import train_candidate

    request.getfixturevalue("model_dir")
    fit = request.getfixturevalue("fitted")
    train, held = request.getfixturevalue("train_sample"), request.getfixturevalue("held_sample")
    return train_candidate(None, train=train, held_out=held, note="test", fit=lambda _examples: fit)


def test_a_submitted_case_whose_routing_never_ran_is_dispatched_by_the_sweep(
    world: Any, people: dict[str, Any], matter: Any, engine_model: Any, settings: Any
) -> None:
    settings.DISPATCH_AUTO_THRESHOLD = 0.01  # the small test model is never sure enough for the real cut
    case: Any = submit(world, people["resident"], "甲一社区甲园小区路面脏，道路保洁不及时，路面垃圾很多")
    due = case.sweep_due_at
    counts = sweep.run(due + SECOND)
    case.refresh_from_db()
    assert counts["routed"] == 1 and case.state == CaseState.DISPATCHED and case.decision_id is not None
    assert case.lead_unit_id == case.decision.unit_id and kinds(case)[-1] == EventKind.DISPATCHED
    assert case.sweep_due_at == min(case.contact_due, case.handle_due)  # now watched for its deadlines
    assert sweep.run(due + SECOND) == NOTHING
    assert verify_all() == (1, None)
