"""Appending to and checking the per-case hash chains. Only the event builders (linli.cases.events) append.

The caller holds the case row locked (select_for_update) for the whole action, so the head it reads
(`event_count`, `last_hash`) cannot move under it; no other lock is taken, so different cases never wait.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils import timezone

from .models import GENESIS, Case, CaseEvent


def actor_label(actor: Any, unit: Any = None) -> str:
    if unit is not None:
        return str(unit.name)
    if actor is None:
        return "系统"
    from linli.accounts.choices import ROLE_SENIORITY, Role
    from linli.accounts.scopes import roles_of

    held = roles_of(actor)
    senior = next((role for role in ROLE_SENIORITY if role in held), Role.RESIDENT)
    return str(Role(senior).label)


# Set only by `collecting`: a bulk builder (the demo history) gathers the builders' events unsaved and
# unchained, then chains each case's events in time order itself with `link`.
_collector: contextvars.ContextVar[Callable[[CaseEvent], None] | None] = contextvars.ContextVar(
    "linli_case_event_collector", default=None
)


@contextlib.contextmanager
def collecting(collect: Callable[[CaseEvent], None]) -> Iterator[None]:
    """While active, `append` hands each new event to `collect` instead of chaining and saving it."""
    token = _collector.set(collect)
    try:
        yield
    finally:
        _collector.reset(token)


def link(case: Case, event: CaseEvent) -> None:
    """Chain `event` to the case's head and move the head: the one rule for every event, saved one by one
    (`append`) or in bulk."""
    event.seq = case.event_count + 1
    event.prev_hash = case.last_hash
    event.hash = event.compute_hash()
    case.event_count = event.seq
    case.last_hash = event.hash


def append(
    case: Case,
    kind: str,
    *,
    actor: Any = None,
    label: str = "",
    old_state: str = "",
    new_state: str = "",
    payload: dict[str, Any] | None = None,
    at: Any = None,
) -> CaseEvent:
    """Write the case's next event, chained to its head, and move the head. `case` must be locked."""
    event = CaseEvent(
        case=case,
        kind=kind,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(label or actor_label(actor))[:128],
        old_state=old_state,
        new_state=new_state or old_state,
        # Stored as the database will give it back, so that the hash checks out when read again.
        payload=json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str)),
    )
    collect = _collector.get()
    if collect is not None:
        collect(event)
        return event
    head = (case.event_count, case.last_hash)
    link(case, event)
    try:
        event.save()
    except BaseException:
        case.event_count, case.last_hash = head  # the head moves only with a saved event
        raise
    for listener in LISTENERS:
        listener(case, event)
    return event


# Apps that keep figures derived from the timelines (linli.assessment) fold each event as it is written, in
# the same transaction: registered at start-up, so the closed loop does not import them.
LISTENERS: list[Callable[[Case, CaseEvent], None]] = []


@dataclass(frozen=True)
class Break:
    case_id: int
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"case {self.case_id}" + (f" event #{self.seq}" if self.seq is not None else "")
        return f"{where}: {self.problem}"


def verify_case(case: Case, events: Iterable[CaseEvent] | None = None) -> Break | None:
    """The first broken link of one case's chain, or None when it is whole."""
    prev, expected = GENESIS, 1
    rows = events if events is not None else case.events.order_by("seq").iterator(chunk_size=500)
    for event in rows:
        if event.seq != expected:
            return Break(case.pk, event.seq, f"event #{expected} is missing")
        if event.prev_hash != prev:
            return Break(case.pk, event.seq, "does not link to the event before it")
        if event.compute_hash() != event.hash:
            return Break(case.pk, event.seq, "its content does not match its hash")
        prev, expected = event.hash, expected + 1
    if case.event_count != expected - 1 or case.last_hash != prev:
        return Break(case.pk, None, "the case's head does not match its last event")
    return None


def verify_all(case_ids: Iterable[int] | None = None, batch: int = 500) -> tuple[int, Break | None]:
    """Walk every chain in id order (or the given cases); returns how many were checked and the first break."""
    qs = Case.objects.order_by("pk").only("pk", "event_count", "last_hash")
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    checked, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return checked, None
        by_case: dict[int, list[CaseEvent]] = {c.pk: [] for c in chunk}
        for event in CaseEvent.objects.filter(case_id__in=by_case).order_by("case_id", "seq"):
            by_case[event.case_id].append(event)
        for case in chunk:
            broken = verify_case(case, by_case[case.pk])
            checked += 1
            if broken is not None:
                return checked, broken
        last = chunk[-1].pk


def chains_digest(since_event_id: int = 0) -> dict[str, Any]:
    """A digest of every case head whose chain grew after `since_event_id`, for the global audit chain."""
    import hashlib

    top = CaseEvent.objects.aggregate(top=Max("pk"))["top"] or 0
    grown = CaseEvent.objects.filter(pk__gt=since_event_id, pk__lte=top).values_list("case_id", flat=True).distinct()
    heads = Case.objects.filter(pk__in=grown).order_by("pk").values_list("pk", "event_count", "last_hash")
    digest = hashlib.sha256()
    count = 0
    for pk, seq, head in heads.iterator(chunk_size=2000):
        digest.update(f"{pk}:{seq}:{head}\n".encode())
        count += 1
    return {"through_event": top, "cases": count, "digest": digest.hexdigest()}
