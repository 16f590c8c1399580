"""Many synthetic but realistic requests at once, for assessment and page timings at megacity scale
(issue 18): `generate(n)` adds n cases to the configured database, `ensure_cases(n)` tops it up to n.

The requests are drawn as the demo history draws them (linli.cases.demo_plans: channel shares, the bundled
citizen messages and the class their keywords give, the city's buildings and estates, who reports on each
channel) and each one lives through the demo history's own simulation (linli.cases.demo_life: every step
as its action would take it, every event through its builder, chained with `timeline.link`). What differs
is the scale: the days are planned one at a time from counts drawn for the whole period (season, the Spring
Festival, rest days, each channel's hours), a duplicate's primary is looked for among the last few thousand
requests instead of every request of the week, and the rows are written by linli.cases.bulk_write (COPY on
PostgreSQL) every `batch` cases, each batch committed on its own, so that memory stays bounded and an
interrupted run leaves whole cases that `ensure_cases` builds on.

The requests still waiting for dispatch at the end are routed by the real `route_case`, as the demo history
routes them. linli.cases.bulk_run lives the requests through and writes them; `workers` > 1 runs consecutive
runs of days in forked processes.
"""

from __future__ import annotations

import datetime
import logging
import multiprocessing
import random
import time
import traceback
from collections.abc import Callable
from queue import Empty
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Max
from django.utils import timezone, translation

from linli.core import audit
from linli.core.choices import AuditAction
from linli.places.models import Place

from . import bulk_plan
from .bulk_run import Part, Stats, simulate
from .bulk_write import analyze
from .choices import CaseState
from .demo_cast import SURNAMES, Cast, mobile
from .demo_clock import UTC
from .demo_history import silenced
from .demo_plans import Planner
from .models import Case, CaseApproval, CaseReturn, WhistleCall

__all__ = ["DEFAULT_SEED", "Stats", "ensure_cases", "generate"]
logger = logging.getLogger("linli.cases.bulk")
DEFAULT_SEED = 20261801
BATCH = 20_000
ROUTED_AT_MOST = 500
ID_STRIDE = 4  # ids kept for each case's returns, approvals and whistle calls (at most two of each)


def residents_for(total: int) -> int:
    """Resident accounts for `total` cases: as many as the demo history makes (one per 50 cases, 20 to 400),
    or one per 200 cases up to 5,000 for more (each is made through the sign-up action)."""
    return max(20, min(400, total // 50), min(5000, total // 200))


def top_up_residents(rng: random.Random, wanted: int) -> int:
    """Make resident accounts through the sign-up action until there are `wanted` (as demo_cast makes them,
    every sixth with a registered person's phone); a phone that already has an account is drawn again.
    Returns how many were made."""
    from linli.accounts.actions import create_user
    from linli.accounts.choices import Role
    from linli.accounts.models import Grant, User
    from linli.people.demo import registry_phones

    have = Grant.objects.active().filter(role=Role.RESIDENT, user__is_active=True).count()
    missing = wanted - have
    if missing <= 0:
        return 0
    taken = set(User.objects.filter(username__startswith="resident-").values_list("username", flat=True))
    known = registry_phones(rng, missing // 6)
    made, number = 0, 0
    while made < missing:
        number += 1
        username = f"resident-{number:05d}"
        if username in taken:
            continue
        surname = SURNAMES[rng.randrange(len(SURNAMES))]
        display = f"{surname}{'先生' if rng.random() < 0.5 else '女士'}"
        phone = known.pop() if known and number % 6 == 0 else mobile(rng)
        for _try in range(5):
            try:
                create_user(None, username=username, role=Role.RESIDENT, display_name=display, phone=phone)
            except ValidationError:  # the number has an account already
                phone = mobile(rng)
                continue
            made += 1
            break
    return made


def ensure_cases(n: int, *, seed: int = DEFAULT_SEED, **options: Any) -> Stats:
    """Fill the database up to `n` cases, reusing those there: adds only the missing ones (none when there
    are n or more already)."""
    have = Case.objects.count()
    return generate(n - have, seed=seed, **options) if have < n else Stats()


def generate(
    n: int,
    *,
    seed: int = DEFAULT_SEED,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    batch: int = BATCH,
    workers: int = 1,
    now: datetime.datetime | None = None,
    progress: Callable[[Stats], None] | None = None,
) -> Stats:
    """Add `n` requests that came in between `start` and `end` (default: the 12 months before now), each
    lived through until now; builds the demo city first when the database has no places at all.

    `workers` > 1 simulates consecutive runs of days in that many forked processes, each writing its own
    batches (PostgreSQL outside a transaction only; otherwise one process does it all)."""
    if n <= 0:
        return Stats()
    began = time.monotonic()
    now = (now or timezone.now()).astimezone(UTC)
    end = min(end or now, now - datetime.timedelta(minutes=1)).astimezone(UTC)
    start = (start or end - datetime.timedelta(days=365)).astimezone(UTC)
    if start >= end:
        raise ValueError("the period to spread the requests over is empty")
    with translation.override(settings.LANGUAGE_CODE), silenced():
        if not Place.objects.exists():
            from linli.core import demo

            demo.build(seed=seed)
        first = (Case.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        # A second run with the same seed goes on from where the first stopped instead of repeating it.
        rng = random.Random(f"{seed}:{first}")
        top_up_residents(rng, residents_for(Case.objects.count() + n))
        cast = Cast(rng, residents=0)
        planner = Planner(cast, now)
        found = bulk_plan.cells(rng, planner, start, end, n)
        parallel = workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
        parts = _parts(found, workers if parallel else 1, first, f"{seed}:{first}")
        setup = time.monotonic() - began
        if len(parts) == 1:
            stats = simulate(parts[0], planner, now, batch, progress, began)
        else:
            stats = _in_workers(parts, planner, now, batch, progress, began)
        stats.setup_seconds, stats.processes = setup, len(parts)
        _route_the_queue(first)
        analyze()
        audit.record(AuditAction.CASES_IMPORTED, data={"source": "bulk generator", "cases": stats.cases})
    stats.seconds = time.monotonic() - began
    return stats


def _route_the_queue(first: int) -> None:
    """The new requests still waiting for dispatch get the engine's decision through the real routing action,
    as the demo history gives them (only the last minutes' requests: a handful in any run)."""
    from .actions.routing import route_case

    waiting = Case.objects.filter(pk__gte=first, state=CaseState.SUBMITTED, decision__isnull=True)
    for pk in waiting.order_by("pk").values_list("pk", flat=True)[:ROUTED_AT_MOST]:
        try:
            route_case(pk)
        except Exception:
            logger.exception("bulk generator: case %s could not be routed; the sweep will", pk)


def _parts(found: list[bulk_plan.Cell], count: int, first: int, seed: str) -> list[Part]:
    models: tuple[Any, ...] = (CaseReturn, CaseApproval, WhistleCall)
    tops: dict[type, int] = {m: int(m.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for m in models}
    runs = bulk_plan.split(found, count)
    parts, before = [], 0
    for n, run in enumerate(runs):
        cases = sum(c.count for c in run)
        ids: dict[type, tuple[int, int]]
        if len(runs) == 1:
            ids = {m: (top, 2**62) for m, top in tops.items()}
        else:
            ids = {m: (top + ID_STRIDE * before, top + ID_STRIDE * (before + cases)) for m, top in tops.items()}
        parts.append(Part(run, first + before, ids, f"{seed}:{n}"))
        before += cases
    return parts


def _work(part: Part, planner: Planner, now: datetime.datetime, batch: int, queue: Any, began: float) -> None:
    """A forked worker: its part simulated and written on its own connection; what it did goes to `queue`."""
    try:
        stats = simulate(part, planner, now, batch, lambda s: queue.put(("progress", part.seed, s)), began)
        queue.put(("done", part.seed, stats))
    except BaseException:
        queue.put(("error", part.seed, traceback.format_exc()))
    finally:
        connections.close_all()


def _in_workers(
    parts: list[Part],
    planner: Planner,
    now: datetime.datetime,
    batch: int,
    progress: Callable[[Stats], None] | None,
    began: float,
) -> Stats:
    connections.close_all()  # each process opens its own
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [
        context.Process(target=_work, args=(part, planner, now, batch, queue, began), daemon=True) for part in parts
    ]
    for process in processes:
        process.start()
    latest: dict[str, Stats] = {part.seed: Stats() for part in parts}
    finished: set[str] = set()
    try:
        while len(finished) < len(parts):
            try:
                kind, seed, payload = queue.get(timeout=10)
            except Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError("a generator worker died") from None
                continue
            if kind == "error":
                raise RuntimeError(f"a generator worker failed:\n{payload}")
            latest[seed] = payload
            if kind == "done":
                finished.add(seed)
            if progress is not None:
                progress(_combined(latest.values(), began))
    finally:
        for process in processes:
            if process.is_alive() and len(finished) < len(parts):
                process.terminate()
            process.join()
    return _combined(latest.values(), began)


def _combined(parts: Any, began: float) -> Stats:
    total = Stats(seconds=time.monotonic() - began)
    for stats in parts:
        total.cases += stats.cases
        total.events += stats.events
        total.rows.update(stats.rows)
        total.states.update(stats.states)
        total.chain_seconds += stats.chain_seconds
        total.write_seconds += stats.write_seconds
    return total
