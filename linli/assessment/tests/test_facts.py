"""Indicators on hand-built timelines (issue 18, acceptance): returns, reopen, extension, merge and invalid
cases, each counted the way linli.assessment.facts says DESIGN §6 counts it, kept as events happen and equal
to a recomputation from the timelines."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from linli.assessment import recompute
from linli.assessment.indicators import unit_figures
from linli.assessment.models import CaseFact, UnitDayStat
from linli.cases import actions
from linli.cases.models import Case
from linli.cases.tests.conftest import submit

pytestmark = pytest.mark.django_db


def _figures(unit: Any) -> Any:
    today = timezone.localdate()
    return unit_figures([unit.pk], today, today)[unit.pk]


def _closed_after_a_reopen(world: Any, people: dict[str, Any]) -> Case:
    """Dispatched to the wrong department, re-dispatched, returned and moved to the street by review, handled,
    rated unsatisfied (reopened), handled again and rated satisfied."""
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_b"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["dept_a"])
    ret = actions.return_case(people["handler"], case, reason="not_our_duty", explanation="属于物业管理范围")
    actions.review_return(people["dispatcher"], ret, uphold=True, unit=world.units["street_a"], note="街道兜底")
    case = Case.objects.get(pk=case.pk)
    case = actions.accept(people["dispatcher"], case)
    case = actions.contact(people["dispatcher"], case, note="已电话联系居民")
    case = actions.resolve(people["dispatcher"], case, answer="已安排清理")
    case = actions.rate(people["resident"], case, rating="unsatisfied", resolved=False, comment="没有清理干净")
    case = actions.resolve(people["dispatcher"], case, answer="已再次清理")
    return actions.rate(people["resident"], case, rating="satisfied", resolved=True)


def test_return_and_reopen_answer_to_the_unit_the_review_chose(world: Any, people: dict[str, Any]) -> None:
    case = _closed_after_a_reopen(world, people)
    fact = CaseFact.objects.get(case=case)
    assert fact.unit_id == world.units["street_a"].pk == case.accountable_unit_id
    street = _figures(world.units["street_a"])
    assert street.counts["cases"] == 1 and street.counts["returned"] == 1 and street.counts["reopened"] == 1
    assert street.counts["dispatches"] == 2 and street.counts["misdispatches"] == 1  # one upheld return
    assert street.rate("response").value == 1.0 and street.rate("accuracy").value == 0.5
    assert street.rate("resolution").value == 1.0 and street.rate("satisfaction").value == 1.0  # the last rating
    assert street.rate("reopen").value == 1.0 and street.counts["resolved"] == 1
    assert _figures(world.units["dept_b"]).volume == 0  # the first receiver was moved off by the review
    assert recompute.compare().equal


def test_extension_basic_satisfaction_and_the_factor(world: Any, people: dict[str, Any]) -> None:
    case = submit(world, people["resident"])
    case = actions.dispatch_case(people["dispatcher"], case, unit=world.units["street_a"])
    case = actions.accept(people["dispatcher"], case)
    approval = actions.request_approval(people["dispatcher"], case, kind="extension", working_days=3, reason="需协调")
    actions.decide_approval(people["district"], approval, approve=True)
    case = Case.objects.get(pk=case.pk)
    case = actions.resolve(people["dispatcher"], case, answer="已处理")
    actions.rate(people["resident"], case, rating="basic", resolved=True)
    street = _figures(world.units["street_a"])
    assert street.counts["extended"] == 1 and street.rate("extension").value == 1.0
    assert street.counts["contacted"] == 0 and street.rate("response").value == 0.0  # never contacted
    assert street.rate("satisfaction").value == pytest.approx(0.8)  # k = 0.8 by default
    assert street.composite == pytest.approx(0.30 * 0 + 0.35 * 1 + 0.35 * 0.8)
    assert recompute.compare().equal


def test_merged_duplicate_keeps_its_rating_and_invalid_counts_nowhere(world: Any, people: dict[str, Any]) -> None:
    primary = submit(world, people["resident"])
    primary = actions.dispatch_case(people["dispatcher"], primary, unit=world.units["street_a"])
    duplicate = submit(world, people["other_resident"], text="小区门口垃圾堆放多日，路面脏乱无人清理")
    duplicate = actions.dispatch_case(people["dispatcher"], duplicate, unit=world.units["street_a"])
    actions.merge(people["dispatcher"], duplicate, primary)
    junk = submit(world, people["resident"], text="测试测试，这是一条测试诉求，请忽略")
    junk = actions.dispatch_case(people["dispatcher"], junk, unit=world.units["street_a"])
    actions.invalidate(people["dispatcher"], junk, reason="test", explanation="测试数据")
    street = _figures(world.units["street_a"])
    assert street.counts["cases"] == 1  # the primary only: the duplicate follows it, the invalid one is nobody's
    assert street.counts["dispatches"] == 2  # the invalid case's dispatch is not counted either
    assert not CaseFact.objects.get(case=junk).contribution
    assert CaseFact.objects.get(case=duplicate).counted is False
    assert recompute.compare().equal


def test_the_command_finds_a_tampered_figure_and_rebuilds(world: Any, people: dict[str, Any]) -> None:
    _closed_after_a_reopen(world, people)
    call_command("recompute_assessment")  # equal: no error
    UnitDayStat.objects.filter(unit=world.units["street_a"]).update(satisfied=7)
    with pytest.raises(CommandError):
        call_command("recompute_assessment")
    call_command("recompute_assessment", "--write")
    call_command("recompute_assessment")
    assert _figures(world.units["street_a"]).counts["satisfied"] == 1
