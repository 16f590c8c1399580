"""One process's share of the bulk generator (linli.cases.bulk): its days' requests lived through one by one
with the demo history's simulation, chained, and written batch by batch.

On PostgreSQL outside a transaction, a batch is written by a thread on its own connection while the next
batch is simulated, so that the database's work (COPY, indexes, the foreign-key checks at commit) overlaps
the simulation's; at most one batch waits, which bounds memory. Elsewhere (SQLite, or inside a caller's
transaction, whose rows another connection could not see) the batch is written in place.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime
import gc
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from linli.dispatch.choices import Channel

from . import bulk_plan, timeline
from .bulk_write import MODELS, Writer
from .choices import CaseState
from .demo_cast import Cast
from .demo_history import Book
from .demo_life import Life
from .demo_paths import OPEN_FOR_MERGE
from .demo_plans import Fate, Plan, Planner, case_from
from .models import GENESIS

RECENT = 5000  # the requests a duplicate's primary is drawn from (and the most kept unwritten for it)
PRIMARY_TRIES = 24


@dataclass
class Stats:
    cases: int = 0
    events: int = 0
    rows: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    setup_seconds: float = 0.0
    chain_seconds: float = 0.0  # of `seconds`, summed over the processes: chaining the events
    write_seconds: float = 0.0  # writing and committing, partly alongside the simulation
    processes: int = 1

    @property
    def cases_per_s(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


@dataclass
class Part:
    """One process's share: consecutive days, the case ids they take, and a block of ids for the rows the
    simulation numbers itself (its events name them)."""

    cells: list[bulk_plan.Cell]
    first_pk: int
    ids: dict[type, tuple[int, int]]  # model → first id, first id not to use
    seed: str


class IdBook(Book):
    """The demo history's book with ids from the part's own blocks instead of after the table's largest."""

    def __init__(self, cast: Cast, now: datetime.datetime, ids: dict[type, tuple[int, int]]) -> None:
        super().__init__(cast, now)
        self.ids = {model: list(span) for model, span in ids.items()}

    def allocate(self, model: type) -> int:
        span = self.ids[model]
        if span[0] >= span[1]:
            raise RuntimeError(f"the block of {model.__name__} ids is used up")
        span[0] += 1
        return span[0] - 1


def simulate(
    part: Part,
    planner: Planner,
    now: datetime.datetime,
    batch: int,
    progress: Callable[[Stats], None] | None,
    began: float,
) -> Stats:
    stats = Stats()
    book = IdBook(planner.cast, now, part.ids)
    run = Run(book, stats, batch, progress, began)
    rng = random.Random(part.seed)
    try:
        with timeline.collecting(book.collect), _few_collections():
            pk = part.first_pk
            for plans in bulk_plan.days(rng, planner, part.cells):
                for plan in plans:
                    plan.pk, pk = pk, pk + 1
                    run.live(plan, rng)
        run.finish()
    finally:
        run.close()
    return stats


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cycle collector rescans every object it tracks as more are made: the cast, the messages and
    the lives waiting to be written are millions, and the full rescans were a tenth of the time. What is
    there before the run is set aside (`freeze`) and collections run after many more allocations."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


class Run:
    """The lives being made: the recent ones a duplicate may join, those not yet written, the batch."""

    def __init__(
        self, book: Book, stats: Stats, batch: int, progress: Callable[[Stats], None] | None, began: float
    ) -> None:
        self.book, self.stats, self.batch, self.progress, self.began = book, stats, batch, progress, began
        self.writer = Writer()
        self.recent: deque[Life] = deque(maxlen=RECENT)
        self.pending: deque[Life] = deque()
        self.ready: list[Life] = []
        self.keep = datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS + 2)
        threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="bulk-writer") if threaded else None
        self.writing: Future[None] | None = None

    def live(self, plan: Plan, rng: random.Random) -> None:
        life = live(self.book, plan, random.Random(rng.getrandbits(64)), self.recent)
        self.recent.append(life)
        self.pending.append(life)
        # A life may still gain an event while a later duplicate can pick it as its primary.
        while self.pending and (
            len(self.pending) > RECENT or self.pending[0].case.created_at < plan.created - self.keep
        ):
            self.ready.append(self.pending.popleft())
        if len(self.ready) >= self.batch:
            self.flush()

    def finish(self) -> None:
        self.ready.extend(self.pending)
        self.pending.clear()
        self.flush()
        if self.writing is not None:
            self.writing.result()

    def close(self) -> None:
        if self.thread is not None:
            self.thread.submit(connections.close_all).result()  # the thread's own connection
            self.thread.shutdown()

    def flush(self) -> None:
        if not self.ready:
            return
        began = time.monotonic()
        rows: dict[str, list[Any]] = {name: [] for name in MODELS}
        for life in self.ready:
            case = life.case
            case.event_count, case.last_hash = 0, GENESIS
            events = [e for _a, _o, e in sorted(life.events, key=lambda e: (e[0], e[1]))]
            for event in events:
                timeline.link(case, event)
            rows["case"].append(case)
            rows["assignment"].extend(life.assignments)
            rows["return"].extend(life.returns)
            rows["approval"].extend(life.approvals)
            rows["call"].extend(life.calls)
            rows["event"].extend(events)
            self.book.lives.pop(case.pk, None)
            self.book.replies.pop(case.pk, None)
        self.ready = []
        self.stats.chain_seconds += time.monotonic() - began
        if self.thread is None:
            self.write(rows)
            return
        if self.writing is not None:
            self.writing.result()  # one batch waits at most
        self.writing = self.thread.submit(self.write, rows)

    def write(self, rows: dict[str, list[Any]]) -> None:
        began = time.monotonic()
        with transaction.atomic():
            self.writer.write(rows)
        stats = self.stats
        for name, written in rows.items():
            stats.rows[name] += len(written)
        stats.states.update(case.state for case in rows["case"])
        stats.cases += len(rows["case"])
        stats.events += len(rows["event"])
        stats.write_seconds += time.monotonic() - began
        stats.seconds = time.monotonic() - self.began
        if self.progress is not None:
            self.progress(stats)


def live(book: Book, plan: Plan, rng: random.Random, recent: deque[Life]) -> Life:
    """One request's life (demo_history._live without the demo's targets)."""
    primary = _primary(rng, recent, plan) if plan.duplicate else None
    if primary is not None:  # the same problem at the same place, told by someone else
        plan = dataclasses.replace(plan, spot=primary.spot, matter=primary.case.matter)
        if plan.channel == Channel.GRID:
            plan.submitter = book.cast.field_worker(plan.spot)
    case = case_from(plan)
    fate = Fate.draw(rng, plan.matter is not None)
    life = Life(book, case, plan.spot, fate, rng, plan.submitter)
    if primary is not None:
        life.primary = primary
        case.title, case.body = primary.case.title, primary.case.body
    if plan.message.reply and plan.matter is not None:
        book.replies[plan.pk] = plan.message.reply
    book.lives[plan.pk] = life
    life.live()
    return life


def _primary(rng: random.Random, recent: deque[Life], plan: Plan) -> Life | None:
    """A recent request still open when this one comes in, that this one may repeat: a few draws among the
    last RECENT (the demo history scans a week, which at a megacity's volume is hundreds of thousands)."""
    window = datetime.timedelta(days=settings.CASE_DUPLICATE_DAYS)
    # The recent lives are in time order: draw among those of the window only.
    first = bisect.bisect_left(recent, plan.created - window, key=lambda life: life.case.created_at)
    for _n in range(min(PRIMARY_TRIES, len(recent) - first)):
        other = recent[rng.randrange(first, len(recent))]
        if (
            other.case.created_at < plan.created
            and other.case.state != CaseState.MERGED
            and not other.fate.invalid
            and other.state_at(plan.created) in OPEN_FOR_MERGE
        ):
            return other
    return None
