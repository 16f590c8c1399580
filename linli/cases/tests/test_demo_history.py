"""The demo history (linli.cases.demo_history) on the small test city with the real responsibility list:
a few hundred requests whose chains verify, that fill every state and queue, keep personal data encrypted,
stay within the last year, leave the sweep nothing to do, and whose every actor is someone the actions
would have allowed."""

from __future__ import annotations

import csv
import datetime
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.membership import works_for
from linli.accounts.predicates import (
    APPROVERS,
    can_blow_whistle,
    can_dispatch_case,
    can_report_whistle,
    can_review_return,
    can_verify_case,
)
from linli.accounts.scopes import can, scope_of
from linli.cases import demo_history, sweep
from linli.cases.choices import CaseState, EventKind
from linli.cases.models import Case, CaseApproval, CaseEvent, CaseReturn, WhistleCall
from linli.cases.timeline import verify_all
from linli.core.demo import MATTERS_CSV
from linli.core.tabular import Table
from linli.orgs.actions import import_matter_table, record_admission
from linli.orgs.directory import may_assign
from linli.orgs.models import Matter, Unit
from linli.worktime.clock import add_working_days, zone

pytestmark = pytest.mark.django_db

COUNT = 300
OPEN = [CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED, CaseState.SUSPENDED]


def _import_matters(world: Any) -> None:
    with MATTERS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    import_matter_table(world.admin, Table(columns=list(rows[0]), rows=list(enumerate(rows, start=2))), "test")
    for matter in Matter.objects.filter(owner_level="community").order_by("code")[:6]:
        record_admission(
            world.admin, matter, approved_by="准入工作组", approved_on=datetime.date(2026, 3, 1), people="1人",
            powers="随事下放", funds="按户拨付",
        )  # fmt: skip


@pytest.fixture
def history(world: Any) -> tuple[Any, demo_history.Summary, datetime.datetime]:
    """The test world with the bundled responsibility list (some community matters admitted), and its
    history of COUNT requests."""
    _import_matters(world)
    now = timezone.now()
    summary = demo_history.build(COUNT, now=now, seed=7)
    assert summary is not None
    return world, summary, now


def test_history_fills_every_state_and_queue_and_verifies(history: Any) -> None:
    world, summary, now = history
    assert summary.cases == COUNT == Case.objects.count() and not summary.missed
    assert verify_all() == (COUNT, None)
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert set(EventKind.values) - kinds <= {
        EventKind.PERSONAL_DATA_VIEWED,  # written when someone reads a phone, not by the history
        EventKind.VERIFICATION_FAILED,
        EventKind.RESUMED,
    }, "every step of the loop appears somewhere"
    assert set(Case.objects.values_list("channel", flat=True)) == {"web", "hotline", "grid", "api"}

    # Every queue has work: the dispatch queue (with the engine's suggestions), returns under review,
    # approvals waiting, whistles nobody answered, overdue cases, cases falling due within a day.
    assert Case.objects.filter(state=CaseState.SUBMITTED, decision__isnull=False).exists()
    assert CaseReturn.objects.filter(outcome="pending", case__state=CaseState.RETURNED).exists()
    assert CaseApproval.objects.filter(state="pending", case__state__in=OPEN).exists()
    assert WhistleCall.objects.filter(reported_at__isnull=True, case__state__in=OPEN).exists()
    assert Case.objects.filter(state__in=OPEN, handle_overdue=True).exists()
    assert Case.objects.filter(state__in=OPEN, contact_overdue=True, contacted_at__isnull=True).exists()
    by_next_working_day = add_working_days(now, 1)
    assert Case.objects.filter(state__in=OPEN[:2], handle_due__gt=now, handle_due__lte=by_next_working_day).exists()
    mine = Case.objects.filter(reporter=world.users[Role.RESIDENT])
    assert mine.count() >= 3 and mine.filter(state=CaseState.RESOLVED).exists(), "the resident has one to rate"
    assert Case.objects.filter(state=CaseState.MERGED, merged_into__state__in=OPEN).exists()
    assert Case.objects.exclude(rating="").values("rating").distinct().count() >= 2

    # Dates: all within the last year, every case's events in time order from its submission.
    year_ago = now - datetime.timedelta(days=366)
    assert not Case.objects.filter(created_at__lt=year_ago).exists()
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    last: dict[int, Any] = {}
    for case_id, at in CaseEvent.objects.order_by("case_id", "seq").values_list("case_id", "at"):
        assert at >= last.get(case_id, at)
        last[case_id] = at
    opened = dict(Case.objects.values_list("pk", "created_at"))
    assert all(CaseEvent.objects.filter(case_id=pk, seq=1).first().at == opened[pk] for pk in list(opened)[:50])

    # The sweep, run at the same moment, finds everything already done.
    assert sweep.run(now) == {"contact": 0, "handle": 0, "routed": 0, "late_whistles": 0, "closed_unrated": 0}
    assert demo_history.build(COUNT, now=now) is None  # a second run adds nothing


@pytest.mark.parametrize(("day", "hour"), [(1, 1), (1, 21), (4, 9), (4, 21)])
def test_every_queue_fills_at_any_hour(world: Any, day: int, hour: int) -> None:
    """`now` at night, in the morning and in the evening, on a working day and on the last one before a
    weekend: the cases meant to fall due by the next working day are planned from the working calendar, so
    no hour leaves that queue empty (one random age in a range hit it only by luck in the evening)."""
    _import_matters(world)
    now = datetime.datetime(2026, 12, day, hour, 7, tzinfo=zone())  # a Tuesday and a Friday
    summary = demo_history.build(120, now=now, seed=day)
    assert summary is not None and not summary.missed, summary.missed
    due = Case.objects.filter(state__in=OPEN[:2], handle_due__gt=now, handle_due__lte=add_working_days(now, 1))
    assert due.exists()


def test_personal_data_is_encrypted_and_texts_hold_no_numbers(history: Any) -> None:
    with_phone = Case.objects.exclude(reporter_phone="")
    assert with_phone.count() > COUNT // 3
    phones = dict(with_phone.values_list("pk", "reporter_phone"))
    names = dict(with_phone.values_list("pk", "reporter_name"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, reporter_phone, reporter_name, title, body, answer FROM cases_case")
        stored = cursor.fetchall()
    mobile = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    for pk, phone, name, title, body, answer in stored:
        if pk in phones:
            assert phone and phones[pk] not in phone  # ciphertext at rest
            assert not names[pk] or names[pk] not in name
        assert not mobile.search(f"{title} {body} {answer}")
    for payload in CaseEvent.objects.values_list("payload", flat=True):
        assert not mobile.search(json.dumps(payload, ensure_ascii=False))


def test_every_actor_is_someone_the_actions_allow(history: Any) -> None:
    """The history is written without the actions, so check that each step's person would have passed the
    action's own predicate (and the directory, where work was sent)."""
    cases = {c.pk: c for c in Case.objects.select_related("place", "lead_unit", "reporter")}
    units = Unit.objects.in_bulk()
    checked = 0
    for event in CaseEvent.objects.exclude(actor=None).select_related("actor").order_by("case_id", "seq"):
        case, actor, payload = cases[event.case_id], event.actor, event.payload
        assert actor is not None and actor.is_active
        if event.kind in (EventKind.ACCEPTED, EventKind.CONTACTED, EventKind.NOTE):
            assert works_for(actor, _unit_acting(event, units)), event
        elif event.kind == EventKind.DISPATCHED:
            assert can_dispatch_case(actor, case) and may_assign(actor, units[payload["unit"]["id"]], case.place)
        elif event.kind in (EventKind.VERIFIED, EventKind.VERIFICATION_FAILED):
            assert can_verify_case(actor, case)
        elif event.kind == EventKind.RATED:
            assert actor == case.reporter
        elif event.kind in (EventKind.RETURN_UPHELD, EventKind.RETURN_REJECTED):
            assert can_review_return(actor, case)
            assert event.kind == EventKind.RETURN_REJECTED or may_assign(
                actor, units[payload["final_unit"]["id"]], case.place
            )
        elif event.kind == EventKind.APPROVAL_DECIDED:
            approval = CaseApproval.objects.get(pk=payload["approval"])
            assert scope_of(actor).has(APPROVERS) and can(actor, "change", case)
            assert not works_for(actor, approval.unit), "never approved by the asking unit"
        elif event.kind == EventKind.WHISTLE_BLOWN:
            assert can_blow_whistle(actor, case)
            assert all(may_assign(actor, units[c["unit"]["id"]], case.place) for c in payload["calls"])
        elif event.kind == EventKind.WHISTLE_REPORTED:
            assert can_report_whistle(actor, WhistleCall.objects.get(pk=payload["call"]))
        elif event.kind in (EventKind.MERGED, EventKind.DUPLICATE_ATTACHED, EventKind.INVALIDATED):
            assert can_dispatch_case(actor, case)
        elif event.kind == EventKind.SUBMITTED and case.channel == "hotline":
            assert scope_of(actor).has({Role.DISTRICT_COMMAND, Role.STREET_DISPATCHER})
        elif event.kind == EventKind.SUBMITTED and case.channel == "grid":
            assert can(actor, "view", case.place)
        else:
            continue
        checked += 1
    assert checked > COUNT * 3


def _unit_acting(event: CaseEvent, units: dict[int, Unit]) -> Unit:
    """The unit a handling step was taken for: named in the payload, or by the label the builder wrote."""
    if "unit" in event.payload:
        return units[event.payload["unit"]["id"]]
    return next(u for u in units.values() if u.name == event.actor_label)
