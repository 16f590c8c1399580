"""Property test of the closed loop: any sequence of steps by any of the people, against the state table.

For every step tried: without the step's predicate it is refused (PermissionDenied) and nothing changes;
with it but from a state the table does not allow, it is refused (ValidationError) and nothing changes;
otherwise it lands in a state the table says it may lead to, with at least one new event. After every
sequence the case's chain verifies and the states of all events are defined states.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.accounts import predicates as p
from linli.cases import actions, workflow
from linli.cases.choices import ApprovalState, CaseState, ReviewOutcome
from linli.cases.models import Case, CaseApproval, CaseReturn, WhistleCall
from linli.cases.timeline import verify_case

from .conftest import submit

pytestmark = pytest.mark.django_db

ACTORS = ["resident", "dispatcher", "handler", "secretary", "grid", "district", "other_handler", "other_resident"]


def _pending_return(case: Case) -> CaseReturn | None:
    return CaseReturn.objects.filter(case=case, outcome=ReviewOutcome.PENDING).first()


def _pending_approval(case: Case) -> CaseApproval | None:
    return CaseApproval.objects.filter(case=case, state=ApprovalState.PENDING).first()


def _open_call(case: Case) -> WhistleCall | None:
    return WhistleCall.objects.filter(case=case, reported_at__isnull=True).first()


def steps(world: Any) -> dict[str, tuple[str, Callable[[Any, Case], bool], Callable[[Any, Case], Any]]]:
    """step → (state-table name, predicate, call). Units alternate so that returns can be upheld."""
    u = world.units

    def other_unit(case: Case) -> Any:
        return u["street_a"] if case.lead_unit_id == u["dept_a"].pk else u["dept_a"]

    return {
        "dispatch": (
            "dispatch",
            p.can_dispatch_case,
            lambda a, c: actions.dispatch_case(a, c, unit=other_unit(c)),
        ),
        "accept": ("accept", p.can_handle_case, lambda a, c: actions.accept(a, c)),
        "contact": ("contact", p.can_handle_case, lambda a, c: actions.contact(a, c, note="已联系")),
        "resolve": ("resolve", p.can_handle_case, lambda a, c: actions.resolve(a, c, answer="已处理")),
        "rate_bad": (
            "rate",
            p.can_rate_case,
            lambda a, c: actions.rate(a, c, rating="unsatisfied", resolved=False, comment="未解决"),
        ),
        "rate_good": ("rate", p.can_rate_case, lambda a, c: actions.rate(a, c, rating="satisfied", resolved=True)),
        "return": (
            "return",
            p.can_handle_case,
            lambda a, c: actions.return_case(a, c, reason="not_our_duty", explanation="非本单位职责"),
        ),
        "uphold": (
            "review_return",
            p.can_review_return,
            lambda a, c: actions.review_return(a, _pending_return(c) or _missing(), uphold=True, unit=other_unit(c)),
        ),
        "reject": (
            "review_return",
            p.can_review_return,
            lambda a, c: actions.review_return(a, _pending_return(c) or _missing(), uphold=False, note="属本单位"),
        ),
        "extend": (
            "request_approval",
            p.can_handle_case,
            lambda a, c: actions.request_approval(a, c, kind="extension", working_days=2, reason="需协调"),
        ),
        "suspend": (
            "request_approval",
            p.can_handle_case,
            lambda a, c: actions.request_approval(a, c, kind="suspension", reason="等待材料"),
        ),
        "approve": (
            "decide_approval",
            p.can_decide_approval,
            lambda a, c: actions.decide_approval(a, _pending_approval(c) or _missing(), approve=True),
        ),
        "resume": ("resume", p.can_handle_case, lambda a, c: actions.resume(a, c)),
        "whistle": (
            "blow_whistle",
            p.can_blow_whistle,
            lambda a, c: actions.blow_whistle(a, c, units=[u["dept_a"]], note="联合处置"),
        ),
        "report": (
            "report_whistle",
            lambda a, c: bool(_open_call(c)) and p.can_report_whistle(a, _open_call(c)),
            lambda a, c: actions.report_whistle(a, _open_call(c) or _missing()),
        ),
        "escalate": (
            "escalate",
            lambda a, c: p.can_handle_case(a, c) or p.can_dispatch_case(a, c),
            lambda a, c: actions.escalate(a, c, why="超出处置能力"),
        ),
        "invalidate": (
            "invalidate",
            p.can_dispatch_case,
            lambda a, c: actions.invalidate(a, c, reason="test", explanation="测试"),
        ),
    }


class Missing(Exception):
    """The step needs a pending return, approval or whistle call and there is none: not a workflow fact."""


def _missing() -> Any:
    raise Missing


STEP_NAMES = [
    "dispatch",
    "accept",
    "contact",
    "resolve",
    "rate_bad",
    "rate_good",
    "return",
    "uphold",
    "reject",
    "extend",
    "suspend",
    "approve",
    "resume",
    "whistle",
    "report",
    "escalate",
    "invalidate",
]


def _unchanged(case: Case, before: tuple[str, int], what: str) -> None:
    after = Case.objects.get(pk=case.pk)
    assert (after.state, after.event_count) == before, f"{what}: refused but changed"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.sampled_from(STEP_NAMES), st.integers(0, len(ACTORS) - 1)), max_size=16))
def test_any_sequence_keeps_the_loop_sound(world: Any, people: dict[str, Any], plan: list[tuple[str, int]]) -> None:
    """Each planned step is tried by every person without its predicate (all must be refused, changing
    nothing), then done by one person who holds it (picked by the plan), if anyone does."""
    table = steps(world)
    case = submit(world, people["resident"])
    for name, pick in plan:
        state_name, predicate, call = table[name]
        case = Case.objects.select_related("lead_unit", "matter", "place").get(pk=case.pk)
        before = (case.state, case.event_count)
        holders = []
        for who in ACTORS:
            actor = people[who]
            if predicate(actor, case):
                holders.append(who)
                continue
            try:
                call(actor, case)
            except (Missing, PermissionDenied):
                _unchanged(case, before, f"{name} by {who}")
                continue
            raise AssertionError(f"{name} by {who} went through without the predicate")
        if not holders:
            continue
        who = holders[pick % len(holders)]
        try:
            call(people[who], case)
        except Missing:
            continue
        except PermissionDenied as error:
            raise AssertionError(f"{name} by {who} refused though the predicate allows it") from error
        except ValidationError:
            _unchanged(case, before, f"{name} by {who}")
            continue
        allowed_from = workflow.STEPS[state_name] | (workflow.STEPS["redispatch"] if name == "dispatch" else set())
        assert before[0] in allowed_from, f"{name} ran from {before[0]}"
        after = Case.objects.get(pk=case.pk)
        assert after.event_count > before[1], f"{name} wrote no event"
        assert after.state in CaseState.values
        if state_name in workflow.LEADS_TO:
            assert after.state in workflow.LEADS_TO[state_name], f"{name}: {before[0]} → {after.state}"
    final = Case.objects.get(pk=case.pk)
    assert verify_case(final) is None
    states = set(final.events.values_list("new_state", flat=True)) | set(
        final.events.exclude(old_state="").values_list("old_state", flat=True)
    )
    assert states <= set(CaseState.values)
    seqs = list(final.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, final.event_count + 1))
