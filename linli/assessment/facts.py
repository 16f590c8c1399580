"""A case's assessment fact is the fold of its timeline, event by event (DESIGN §6, as configured here):

- the case answers for the unit that first received it (the first dispatch), unless a review upheld a return
  and moved it (the return's final unit); it is counted on the day of its first dispatch;
- 响应: the unit's first contact was within the contact deadline (the event says so, `on_time`);
- resolved, and resolved on time: the last resolution (a reopened case is open again until it is resolved
  again), its time counted from the first dispatch;
- the rating: the last one (a reopened case is rated again); 解决 = the resident said "resolved";
- overdue, extended (an approved extension), returned (any return), reopened: whether it ever happened;
- dispatch accuracy: dispatches, and those a review found wrong (a return upheld);
- an invalid case counts nowhere; a duplicate merged into another counts only its own rating and dispatches
  (its primary carries the handling; each reporter keeps their own rating, DESIGN §4).

The same `Fold` runs as events are written (`after_event`, in the event's transaction) and from scratch over
stored timelines (linli.assessment.recompute); the two must agree, and a test and a command check they do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from linli.cases.choices import EventKind as K
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .models import COUNTERS, CaseFact, PlaceDayStat, UnitDayStat

# Events that can change a fact; any other kind is skipped without reading or writing anything.
FOLDED = frozenset(
    {
        K.DISPATCHED,
        K.CONTACTED,
        K.RESOLVED,
        K.RATED,
        K.REOPENED,
        K.RETURNED,
        K.RETURN_UPHELD,
        K.APPROVAL_DECIDED,
        K.OVERDUE,
        K.MERGED,
        K.INVALIDATED,
    }
)


@dataclass
class Fold:
    unit: int | None = None
    first_at: str | None = None
    dispatches: int = 0
    misdispatches: int = 0
    contacted: bool = False
    contacted_in_time: bool = False
    contact_seconds: int = 0
    resolved: bool = False
    resolved_on_time: bool = False
    resolve_seconds: int = 0
    overdue: bool = False
    extended: bool = False
    returned: bool = False
    reopened: bool = False
    rating: str = ""
    rated_resolved: bool = False
    merged: bool = False
    invalid: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def step(self, kind: str, at: datetime.datetime, payload: dict[str, Any]) -> None:
        if kind == K.DISPATCHED:
            self.dispatches += 1
            unit = (payload.get("unit") or {}).get("id")
            if self.first_at is None and unit is not None:
                self.first_at, self.unit = at.isoformat(), unit
        elif kind == K.RETURN_UPHELD:
            self.misdispatches += 1
            final = (payload.get("final_unit") or {}).get("id")
            if final is not None:
                self.unit = final
        elif kind == K.RETURNED:
            self.returned = True
        elif kind == K.CONTACTED and not self.contacted:
            self.contacted, self.contacted_in_time = True, bool(payload.get("on_time"))
            self.contact_seconds = self._since_first(at)
        elif kind == K.RESOLVED:
            self.resolved, self.resolved_on_time = True, bool(payload.get("on_time"))
            self.resolve_seconds = self._since_first(at)
        elif kind == K.REOPENED:
            self.reopened, self.resolved, self.resolved_on_time = True, False, False
        elif kind == K.RATED:
            self.rating, self.rated_resolved = str(payload.get("rating") or ""), bool(payload.get("resolved"))
        elif kind == K.OVERDUE and payload.get("which") == "handle":
            self.overdue = True
        elif kind == K.APPROVAL_DECIDED and payload.get("approved") and payload.get("kind") == "extension":
            self.extended = True
        elif kind == K.MERGED:
            self.merged = True
        elif kind == K.INVALIDATED:
            self.invalid = True

    def _since_first(self, at: datetime.datetime) -> int:
        if self.first_at is None:
            return 0
        return max(int((at - datetime.datetime.fromisoformat(self.first_at)).total_seconds()), 0)

    def counts(self) -> dict[str, int]:
        """What the fact adds to its day rows."""
        if self.unit is None or self.invalid:
            return {}
        handled = not self.merged
        rated = bool(self.rating)
        out = {
            "cases": handled,
            "contacted": handled and self.contacted,
            "contacted_in_time": handled and self.contacted_in_time,
            "contact_seconds": self.contact_seconds if handled and self.contacted else 0,
            "resolved": handled and self.resolved,
            "resolved_on_time": handled and self.resolved and self.resolved_on_time,
            "resolve_seconds": self.resolve_seconds if handled and self.resolved else 0,
            "overdue": handled and self.overdue,
            "extended": handled and self.extended,
            "returned": handled and self.returned,
            "reopened": handled and self.reopened,
            "rated": rated,
            "rated_resolved": rated and self.rated_resolved,
            "satisfied": self.rating == "satisfied",
            "basic": self.rating == "basic",
            "unsatisfied": self.rating == "unsatisfied",
            "dispatches": self.dispatches,
            "misdispatches": self.misdispatches,
        }
        return {k: int(v) for k, v in out.items() if v}


def local_day(moment_iso: str) -> datetime.date:
    return timezone.localdate(datetime.datetime.fromisoformat(moment_iso))


def contribution(fold: Fold, category: str, grid: int | None) -> dict[str, Any]:
    counts = fold.counts()
    if not counts or fold.first_at is None:
        return {}
    return {
        "unit": fold.unit,
        "grid": grid,
        "day": local_day(fold.first_at).isoformat(),
        "category": category,
        "counts": counts,
    }


def grid_of(place_id: int) -> int:
    """The grid a place lies in, or the place itself when it lies above every grid."""
    place = Place.objects.only("path", "level").get(pk=place_id)
    if place.level == PlaceLevel.GRID:
        return place.pk
    found = Place.objects.filter(pk__in=place.ancestor_ids, level=PlaceLevel.GRID).values_list("pk", flat=True)
    return next(iter(found), place.pk)


def _bump(model: type[models.Model], key: dict[str, Any], counts: dict[str, int], sign: int) -> None:
    changes = {name: models.F(name) + sign * value for name, value in counts.items() if value}
    if not changes:
        return
    rows = model._default_manager.filter(**key)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            model._default_manager.create(**key, **{name: sign * value for name, value in counts.items()})
    except IntegrityError:  # another transaction created the row first
        rows.update(**changes)


def apply(old: dict[str, Any], new: dict[str, Any]) -> None:
    """Move the day rows from a fact's old contribution to its new one."""
    if old == new:
        return
    for contrib, sign in ((old, -1), (new, 1)):
        if not contrib:
            continue
        day = datetime.date.fromisoformat(contrib["day"])
        _bump(
            UnitDayStat,
            {"unit_id": contrib["unit"], "day": day, "category": contrib["category"]},
            contrib["counts"],
            sign,
        )
        if contrib["grid"] is not None:
            _bump(
                PlaceDayStat,
                {"place_id": contrib["grid"], "day": day, "category": contrib["category"]},
                contrib["counts"],
                sign,
            )


def after_event(case: Any, event: Any) -> None:
    """The timeline listener: fold one new event into the case's fact and move its day rows."""
    if event.kind not in FOLDED:
        return
    fact = CaseFact.objects.select_for_update().filter(case_id=case.pk).first()
    if fact is None:
        if event.kind != K.DISPATCHED:
            return  # nothing to count before the first dispatch
        fact = CaseFact(case_id=case.pk, grid_id=grid_of(case.place_id))
    fold = Fold(**fact.state) if fact.state else Fold()
    fold.step(event.kind, event.at, event.payload)
    store(fact, fold, case.category or "")


def store(fact: CaseFact, fold: Fold, category: str) -> None:
    new = contribution(fold, category, fact.grid_id)
    old = fact.contribution or {}
    fact.state = asdict(fold)
    fact.unit_id = fold.unit
    fact.first_dispatch_at = datetime.datetime.fromisoformat(fold.first_at) if fold.first_at else None
    fact.day = local_day(fold.first_at) if fold.first_at else None
    fact.category = category
    fact.counted = not (fold.invalid or fold.merged)
    fact.contribution = new
    fact.save()
    apply(old, new)


def fold_events(events: Iterable[Any]) -> Fold:
    fold = Fold()
    for event in events:
        if event.kind in FOLDED:
            fold.step(event.kind, event.at, event.payload)
    return fold


assert set(Fold().counts()) <= set(COUNTERS)
