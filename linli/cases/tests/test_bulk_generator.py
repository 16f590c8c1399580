"""The bulk case generator (linli.cases.bulk) on the small test city with the real responsibility list: its
requests' chains verify, each case's counters and times agree with its own events, the states and channels
look like a 12345 centre's, and topping up to a count adds only what is missing."""

from __future__ import annotations

import csv
import datetime
import itertools
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from linli.cases import bulk
from linli.cases.choices import CaseState, EventKind
from linli.cases.models import Case, CaseEvent, CaseReturn
from linli.cases.timeline import verify_all
from linli.core.demo import MATTERS_CSV
from linli.core.tabular import Table
from linli.orgs.actions import import_matter_table, record_admission
from linli.orgs.models import Matter

COUNT = 300
OPEN = {CaseState.SUBMITTED, CaseState.DISPATCHED, CaseState.ACCEPTED, CaseState.RETURNED, CaseState.SUSPENDED}
MICROSECOND = datetime.timedelta(microseconds=1)


def _matters(world: Any) -> None:
    with MATTERS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    import_matter_table(world.admin, Table(columns=list(rows[0]), rows=list(enumerate(rows, start=2))), "test")
    for matter in Matter.objects.filter(owner_level="community").order_by("code")[:6]:
        record_admission(
            world.admin, matter, approved_by="准入工作组", approved_on=datetime.date(2026, 3, 1), people="1人",
            powers="随事下放", funds="按户拨付",
        )  # fmt: skip


@pytest.fixture
def generated(world: Any) -> tuple[bulk.Stats, datetime.datetime]:
    _matters(world)
    now = timezone.now()
    stats = bulk.generate(COUNT, seed=7, now=now, batch=120)  # three batches, the last one at the end
    return stats, now


def _check_cases(cases: list[Case]) -> None:
    """Each case's counters and times as its own events set them."""
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case__in=cases).order_by("case_id", "seq"):
        events[event.case_id].append(event)
    for case in cases:
        mine = events[case.pk]
        kinds = Counter(e.kind for e in mine)
        last = {e.kind: e for e in mine}
        first = {e.kind: e for e in reversed(mine)}
        assert case.event_count == len(mine) and mine[0].kind == EventKind.SUBMITTED and mine[0].at == case.created_at
        assert [e.at for e in mine] == sorted(e.at for e in mine)
        assert case.return_count == kinds[EventKind.RETURNED] == case.returns.count()
        assert case.reopen_count == kinds[EventKind.REOPENED]
        extended = [
            e for e in mine if e.kind == EventKind.APPROVAL_DECIDED and e.payload["approved"]
            and e.payload["kind"] == "extension"
        ]  # fmt: skip
        assert case.extension_count == len(extended)
        contacted = first.get(EventKind.CONTACTED)
        assert case.contacted_at == (contacted.at if contacted else None)
        rated = last.get(EventKind.RATED)
        assert case.rated_at == (rated.at if rated else None)
        if rated is not None:
            assert (case.rating, case.resolved_by_rating) == (rated.payload["rating"], rated.payload["resolved"])
        resolved = last.get(EventKind.RESOLVED)
        if case.resolved_at is not None:
            assert resolved is not None and abs(resolved.at - case.resolved_at) <= MICROSECOND  # a duplicate: 1 µs on
        if case.state in (CaseState.RESOLVED, CaseState.VERIFIED):
            assert case.resolved_at is not None
        if kinds[EventKind.DISPATCHED]:
            upheld = last.get(EventKind.RETURN_UPHELD)
            accountable = upheld.payload["final_unit"] if upheld else first[EventKind.DISPATCHED].payload["unit"]
            assert case.accountable_unit_id == accountable["id"] and case.handle_due and case.contact_due
        whys = {e.payload["which"] for e in mine if e.kind == EventKind.OVERDUE}
        assert not case.handle_overdue or "handle" in whys
        assert not case.contact_overdue or "contact" in whys
        # Each step starts from the state the one before left, and the last leaves the case's state.
        assert all(e.old_state == before.new_state for before, e in itertools.pairwise(mine))
        assert mine[-1].new_state == case.state


@pytest.mark.django_db
def test_generated_cases_verify_and_agree_with_their_events(generated: Any) -> None:
    stats, now = generated
    assert stats.cases == COUNT == Case.objects.count() and stats.events == CaseEvent.objects.count()
    assert stats.processes == 1, "inside a transaction one process does it all"
    assert verify_all() == (COUNT, None)
    cases = list(Case.objects.order_by("pk"))
    _check_cases(cases)
    states = Counter(c.state for c in cases)
    assert states[CaseState.CLOSED] > COUNT * 0.6, states
    assert 0 < sum(states[s] for s in OPEN) < COUNT * 0.2, states
    assert states[CaseState.INVALID] < COUNT * 0.08, states
    assert {c.channel for c in cases} == {"web", "hotline", "grid", "api"}
    assert {c.rating for c in cases} >= {"satisfied", "basic"}
    assert sum(c.category != "" for c in cases) > COUNT / 2, "most texts name a class"
    assert all(now - datetime.timedelta(days=366) < c.created_at < now for c in cases)
    assert not CaseEvent.objects.filter(at__gt=now).exists()
    kinds = set(CaseEvent.objects.values_list("kind", flat=True))
    assert {EventKind.RETURNED, EventKind.REOPENED, EventKind.OVERDUE, EventKind.APPROVAL_DECIDED} <= kinds
    assert CaseEvent.objects.filter(kind=EventKind.MERGED).exists()
    assert CaseReturn.objects.exclude(outcome="pending").exists()
    assert not Case.objects.filter(state=CaseState.SUBMITTED, decision=None).exists(), "routed as the demo does"


@pytest.mark.django_db
def test_ensure_cases_adds_only_what_is_missing(generated: Any) -> None:
    _stats, _now = generated
    before = list(Case.objects.order_by("pk").values_list("pk", "last_hash"))
    assert bulk.ensure_cases(COUNT, seed=7).cases == 0
    assert bulk.ensure_cases(COUNT - 50, seed=7).cases == 0
    assert list(Case.objects.order_by("pk").values_list("pk", "last_hash")) == before
    added = bulk.ensure_cases(COUNT + 20, seed=7)
    assert added.cases == 20 and Case.objects.count() == COUNT + 20
    assert bulk.ensure_cases(COUNT + 20, seed=7).cases == 0
    new = list(Case.objects.filter(pk__gt=before[-1][0]))
    assert len(new) == 20 and verify_all([c.pk for c in new]) == (20, None)
    _check_cases(new)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel workers write on PostgreSQL only")
def test_workers_write_disjoint_ids(world: Any) -> None:
    _matters(world)
    stats = bulk.generate(200, seed=11, workers=2, batch=60)
    assert stats.cases == 200 == Case.objects.count() and stats.processes == 2
    assert verify_all() == (200, None)
    _check_cases(list(Case.objects.all()))
    assert Case.objects.count() == len(set(Case.objects.values_list("pk", flat=True)))
    assert Case.objects.filter(pk__gt=Case.objects.order_by("pk").first().pk + 199).count() == 0, "case ids in one run"
