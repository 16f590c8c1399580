"""Every figure from scratch: fold each stored timeline again (linli.assessment.facts), sum the facts per
unit and grid and day, and compare with what is kept — or, for a history written in bulk (the demo, the
generator), write what the fold gives."""

from __future__ import annotations

import datetime
import gc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction

from linli.cases.models import Case, CaseEvent
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .facts import FOLDED, Fold, contribution, local_day
from .models import COUNTERS, CaseFact, PlaceDayStat, UnitDayStat

BATCH = 5000
Key = tuple[int, datetime.date, str]


@dataclass
class Sums:
    units: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    places: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    def add(self, contrib: dict[str, Any]) -> None:
        if not contrib:
            return
        day = datetime.date.fromisoformat(contrib["day"])
        for name, value in contrib["counts"].items():
            self.units[(contrib["unit"], day, contrib["category"])][name] += value
            if contrib["grid"] is not None:
                self.places[(contrib["grid"], day, contrib["category"])][name] += value


def _grid_index() -> dict[int, int]:
    rows = list(Place.objects.values_list("pk", "path", "level"))
    grids = {path: pk for pk, path, level in rows if level == PlaceLevel.GRID}
    out: dict[int, int] = {}
    for pk, path, _level in rows:
        # A grid's path is a prefix of its places' paths; try each prefix length (segments are fixed width).
        found = pk
        for cut in range(len(path), 0, -10):
            grid = grids.get(path[:cut])
            if grid is not None:
                found = grid
                break
        out[pk] = found
    return out


def folded_cases(case_ids: list[int] | None = None) -> Iterator[tuple[int, Fold, str, int]]:
    """(case id, fold, class, place id) for every case with a dispatch, in id order, a batch at a time."""
    cases = Case.objects.order_by("pk").values_list("pk", "category", "place_id")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    last = 0
    while True:
        batch = list(cases.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1][0]
        by_case: dict[int, list[Any]] = defaultdict(list)
        events = (
            CaseEvent.objects.filter(case_id__gte=batch[0][0], case_id__lte=last, kind__in=FOLDED)
            .order_by("case_id", "seq")
            .only("case_id", "kind", "at", "payload")
        )
        for event in events.iterator(chunk_size=BATCH * 4):
            by_case[event.case_id].append(event)
        for pk, category, place_id in batch:
            rows = by_case.get(pk)
            if not rows:
                continue
            fold = Fold()
            for event in rows:
                fold.step(event.kind, event.at, event.payload)
            if fold.first_at is not None:
                yield pk, fold, category or "", place_id


@dataclass
class Report:
    cases: int = 0
    facts_differing: list[int] = field(default_factory=list)
    unit_rows_differing: list[Key] = field(default_factory=list)
    place_rows_differing: list[Key] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not (self.facts_differing or self.unit_rows_differing or self.place_rows_differing)


def _kept(model: Any, key_field: str) -> dict[Key, dict[str, int]]:
    out: dict[Key, dict[str, int]] = {}
    for row in model.objects.values(key_field, "day", "category", *COUNTERS).iterator(chunk_size=BATCH):
        counts = {name: row[name] for name in COUNTERS if row[name]}
        if counts:
            out[(row[key_field], row["day"], row["category"])] = counts
    return out


def _plain(sums: dict[Key, dict[str, int]]) -> dict[Key, dict[str, int]]:
    return {key: {k: v for k, v in counts.items() if v} for key, counts in sums.items() if any(counts.values())}


def compare() -> Report:
    """Fold every timeline from scratch and compare facts and day rows with those kept."""
    grids = _grid_index()
    sums, report = Sums(), Report()
    kept_facts = dict(CaseFact.objects.values_list("case_id", "contribution").iterator(chunk_size=BATCH))
    for pk, fold, category, place_id in folded_cases():
        report.cases += 1
        contrib = contribution(fold, category, grids.get(place_id))
        sums.add(contrib)
        if kept_facts.pop(pk, None) != contrib:
            report.facts_differing.append(pk)
    report.facts_differing += [pk for pk, contrib in kept_facts.items() if contrib]
    for kept, fresh, out in (
        (_kept(UnitDayStat, "unit_id"), _plain(sums.units), report.unit_rows_differing),
        (_kept(PlaceDayStat, "place_id"), _plain(sums.places), report.place_rows_differing),
    ):
        out += sorted(key for key in set(kept) | set(fresh) if kept.get(key) != fresh.get(key))
    return report


@transaction.atomic
def rebuild() -> int:
    """Replace every fact and day row with what the timelines give (after a history written in bulk)."""
    gc_was = gc.isenabled()
    gc.disable()
    try:
        CaseFact.objects.all().delete()
        UnitDayStat.objects.all().delete()
        PlaceDayStat.objects.all().delete()
        grids, sums, facts, count = _grid_index(), Sums(), [], 0
        for pk, fold, category, place_id in folded_cases():
            contrib = contribution(fold, category, grids.get(place_id))
            sums.add(contrib)
            facts.append(_fact(pk, fold, category, grids.get(place_id), contrib))
            count += 1
            if len(facts) >= BATCH:
                CaseFact.objects.bulk_create(facts, batch_size=BATCH)
                facts = []
        CaseFact.objects.bulk_create(facts, batch_size=BATCH)
        tables: list[tuple[Any, str, dict[Key, dict[str, int]]]] = [
            (UnitDayStat, "unit_id", sums.units),
            (PlaceDayStat, "place_id", sums.places),
        ]
        for model, key_field, rows in tables:
            model.objects.bulk_create(
                (
                    model(**{key_field: key[0], "day": key[1], "category": key[2]}, **counts)
                    for key, counts in _plain(rows).items()
                ),
                batch_size=BATCH,
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE assessment_casefact, assessment_unitdaystat, assessment_placedaystat")
        return count
    finally:
        if gc_was:
            gc.enable()


def _fact(pk: int, fold: Fold, category: str, grid: int | None, contrib: dict[str, Any]) -> CaseFact:
    return CaseFact(
        case_id=pk,
        unit_id=fold.unit,
        day=local_day(fold.first_at) if fold.first_at else None,
        category=category,
        grid_id=grid,
        first_dispatch_at=datetime.datetime.fromisoformat(fold.first_at) if fold.first_at else None,
        counted=not (fold.invalid or fold.merged),
        state=asdict(fold),
        contribution=contrib,
    )
