"""A year of requests on top of the demo city (issue 16 item 9), in the closed loop's own event format.

Going through the actions one call at a time would take many minutes for twenty thousand cases, so each
case's life is simulated step by step at explicit past moments (linli.cases.demo_life, which mirrors the
actions and writes every event through their builders), its events are chained in time order with the
timeline's own rule (`timeline.link`), and everything is written with bulk inserts in one transaction.
The cases still submitted at the end are routed by the real `route_case`, so the dispatch queue shows the
engine's suggestions. What the requests are is planned in linli.cases.demo_plans (texts: demo_texts;
people and places: demo_cast).

Idempotent: nothing happens when any case exists. `LINLI_DEMO_CASES` sets the count (default 20,000).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import itertools
import logging
import os
import random
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation

from linli.core import audit
from linli.core.choices import AuditAction
from linli.dispatch.choices import Channel

from . import notify, timeline
from .choices import CaseState
from .demo_cast import Cast
from .demo_clock import UTC
from .demo_life import Life
from .demo_plans import Fate, Plan, Planner, case_from, open_case
from .models import GENESIS, Case, CaseApproval, CaseAssignment, CaseEvent, CaseReturn, WhistleCall

logger = logging.getLogger("linli.cases.demo_history")
DEFAULT_COUNT = 20_000
BATCH = 2000


@dataclass
class Summary:
    cases: int = 0
    events: int = 0
    states: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)  # targets no try reached (see demo_plans.TARGETS)
    seconds: dict[str, float] = field(default_factory=dict)


class Book:
    """What the lives share: the cast, the clock the builders' events take, the ids handed out."""

    def __init__(self, cast: Cast, now: datetime.datetime) -> None:
        self.cast, self.now, self.clock = cast, now, now
        self.lives: dict[int, Life] = {}
        self.replies: dict[int, str] = {}
        self.labels: dict[str, str] = {}  # translated labels, looked up once
        self._order = itertools.count()
        self._next: dict[type, int] = {}
        self.planner: Planner | None = None
        self.missed: list[str] = []

    def allocate(self, model: type) -> int:
        if model not in self._next:
            self._next[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1  # type: ignore[attr-defined]
        self._next[model] += 1
        return self._next[model] - 1

    def collect(self, event: CaseEvent) -> None:
        # In UTC, as the database gives it back: the hash covers the time's text.
        event.at = self.clock.astimezone(UTC)
        self.lives[event.case_id].events.append((event.at, next(self._order), event))


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    before = notify.SILENCED["value"]
    notify.SILENCED["value"] = True
    try:
        yield
    finally:
        notify.SILENCED["value"] = before


def wanted_count() -> int:
    return int(os.environ.get("LINLI_DEMO_CASES", DEFAULT_COUNT))


def build(count: int | None = None, *, now: datetime.datetime | None = None, seed: int = 20261123) -> Summary | None:
    """Build the history unless cases exist; returns what was built (None when it was skipped)."""
    if Case.objects.exists():
        return None
    count = wanted_count() if count is None else count
    now = (now or timezone.now()).astimezone(UTC)
    summary, started = Summary(), time.monotonic()
    with translation.override(settings.LANGUAGE_CODE), silenced():
        with transaction.atomic():
            rng = random.Random(seed)
            cast = Cast(rng, residents=max(20, min(400, count // 50)))
            summary.seconds["people"] = time.monotonic() - started
            book = Book(cast, now)
            book.planner = Planner(cast, now)
            plans = book.planner.plans(rng, count)
            summary.seconds["plans"] = time.monotonic() - started
            _simulate(book, plans, summary, rng)
            summary.missed = book.missed
            summary.seconds["simulated and written"] = time.monotonic() - started
            _reset_sequences()
            audit.record(AuditAction.CASES_IMPORTED, data={"source": "demo history", "cases": summary.cases})
        _route_the_queue()
    summary.states = Counter(dict(Case.objects.values_list("state").annotate(n=Count("pk")).order_by()))
    summary.seconds["total"] = time.monotonic() - started
    return summary


def _route_the_queue() -> None:
    """The requests still waiting get the engine's decision through the real routing action, as the task
    after intake would have given them; a failure leaves the case to the sweep, as it does there."""
    from .actions.routing import route_case

    for pk in Case.objects.filter(state=CaseState.SUBMITTED).values_list("pk", flat=True):
        try:
            route_case(pk)
        except Exception:
            logger.exception("demo history: case %s could not be routed; the sweep will", pk)


def _primary(rng: random.Random, recent: deque[Life], plan: Plan, wanted_open: bool) -> Life | None:
    window = datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS)
    choices = [
        x
        for x in recent
        if plan.created - window <= x.case.created_at < plan.created
        and x.case.state != CaseState.MERGED
        and not x.fate.invalid
    ]
    if wanted_open:
        choices = [x for x in choices if open_case(x) and not x.resolutions and x.case.state != CaseState.SUBMITTED]
    return rng.choice(choices) if choices else None


def _live(book: Book, plan: Plan, rng: random.Random, recent: deque[Life]) -> Life:
    tries = 30 if plan.target is not None else 1
    for attempt in range(tries):
        life_rng = random.Random(f"{plan.pk}:{attempt}:{rng.random()}")
        if attempt and plan.target is not None and book.planner is not None:
            plan = book.planner.for_target(life_rng, plan.target, plan.index, plan.pk, stretch=1 + attempt // 8)
        primary = _primary(life_rng, recent, plan, wanted_open=plan.target is not None) if plan.duplicate else None
        if primary is not None:  # the same problem at the same place, told by someone else
            plan = dataclasses.replace(plan, spot=primary.spot, matter=primary.case.matter)
            if plan.channel == Channel.GRID:
                plan.submitter = book.cast.field_worker(plan.spot)
        case = case_from(plan)
        fate = Fate.draw(life_rng, plan.matter is not None)
        if plan.target is not None:
            for key, value in plan.target.fate.items():
                setattr(fate, key, value)
        life = Life(book, case, plan.spot, fate, life_rng, plan.submitter)
        if primary is not None:
            life.primary = primary
            case.title, case.body = primary.case.title, primary.case.body
        if plan.message.reply and plan.matter is not None:
            book.replies[plan.pk] = plan.message.reply
        book.lives[plan.pk] = life
        before = len(life.primary.events) if life.primary is not None else 0
        life.live()
        if plan.target is None or plan.target.wanted(life):
            break
        if life.primary is not None:
            del life.primary.events[before:]  # the failed try's duplicate_attached
    else:  # only a case with a target tries more than once
        book.missed.append(plan.target.name if plan.target is not None else "")
    return life


def _simulate(book: Book, plans: list[Plan], summary: Summary, rng: random.Random) -> None:
    recent: deque[Life] = deque()
    pending: deque[Life] = deque()
    buffers = Buffers()
    keep = datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS + 2)
    with timeline.collecting(book.collect):
        for plan in plans:
            life = _live(book, plan, rng, recent)
            recent.append(life)
            pending.append(life)
            while recent and recent[0].case.created_at < plan.created - keep:
                recent.popleft()
            while pending and pending[0].case.created_at < plan.created - keep:
                buffers.add(pending.popleft(), book)
            buffers.flush(summary, final=False)
        while pending:
            buffers.add(pending.popleft(), book)
        buffers.flush(summary, final=True)


class Buffers:
    """Rows waiting for their bulk insert, cases first so that everything else finds its case."""

    def __init__(self) -> None:
        self.rows: dict[type, list[Any]] = {
            m: [] for m in (Case, CaseAssignment, CaseReturn, CaseApproval, WhistleCall, CaseEvent)
        }

    def add(self, life: Life, book: Book) -> None:
        case = life.case
        case.event_count, case.last_hash = 0, GENESIS
        for _at, _order, event in sorted(life.events, key=lambda e: (e[0], e[1])):
            timeline.link(case, event)
        self.rows[Case].append(case)
        self.rows[CaseAssignment].extend(life.assignments)
        self.rows[CaseReturn].extend(life.returns)
        self.rows[CaseApproval].extend(life.approvals)
        self.rows[WhistleCall].extend(life.calls)
        self.rows[CaseEvent].extend(e for _a, _o, e in life.events)
        del book.lives[case.pk]

    def flush(self, summary: Summary, *, final: bool) -> None:
        if not final and len(self.rows[CaseEvent]) < BATCH * 5:
            return
        for model, rows in self.rows.items():
            insert(model, rows)
        summary.cases += len(self.rows[Case])
        summary.events += len(self.rows[CaseEvent])
        for rows in self.rows.values():
            rows.clear()


def insert(model: Any, objs: list[Any]) -> None:
    """What bulk_create writes (each field's pre_save and database value: defaults, auto_now, encryption,
    JSON), sent with executemany: bulk_create's statement building was most of the run's time."""
    if not objs:
        return
    meta = model._meta
    with_pk = objs[0].pk is not None
    fields = [f for f in meta.concrete_fields if with_pk or not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    # Names quoted by the backend, values bound as parameters.
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH):
            rows = [
                [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                for obj in objs[start : start + BATCH]
            ]
            cursor.executemany(sql, rows)


def _reset_sequences() -> None:
    """Ids were given out here: move the database's counters past them (PostgreSQL; SQLite follows itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Case, CaseReturn, CaseApproval, WhistleCall])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
