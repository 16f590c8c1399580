"""Returns avoided: a stream of demo-city cases with texts from the test split, dispatched by the engine.

Each test message is given a random house in the demo city and one of three ways of saying where it is:
a point inside the house's grid, an address written into the message, or nothing. We then count how many
decisions went out automatically, how many of those the receiving unit would return (wrong class, or a
place off the house's own branch of the tree), and how many went to a person.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.dispatch import registry, services
from linli.dispatch.choices import DecisionMode
from linli.dispatch.training import read_labelled_csv
from linli.places.choices import PlaceLevel
from linli.places.models import Place


class Command(BaseCommand):
    help = "Simulate a stream of demo-city cases (texts from the test split) and report returns avoided."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(settings.DISPATCH_BASE_TRAINING))
        parser.add_argument("--limit", type=int, default=0, help="only the first N test messages")
        parser.add_argument("--seed", type=int, default=5)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, file: str, limit: int, seed: int, json: bool, **options: Any) -> None:
        row, classifier = registry.active_model()
        if classifier is None or row is None:
            raise CommandError("No active dispatch model: run `manage.py dispatch_retrain` first.")
        houses = list(Place.objects.filter(level=PlaceLevel.HOUSE).values_list("pk", flat=True))
        if not houses:
            raise CommandError("No demo city: run `manage.py build_demo_city` first.")
        test = read_labelled_csv(Path(file), split="test")
        rng = random.Random(seed)
        n = len(test) if not limit else min(limit, len(test))
        counts: Counter[str] = Counter()
        started = time.perf_counter()
        for i in range(n):
            house = Place.objects.get(pk=rng.choice(houses))
            lineage = house.lineage()
            grid = next(p for p in lineage if p.level == PlaceLevel.GRID)
            how = rng.choices(["point", "address", "none"], weights=[4, 4, 2])[0]
            title, body, label = test.titles[i], test.bodies[i], test.labels[i]
            kwargs: dict[str, Any] = {}
            if (
                how == "point"
                and grid.min_lon is not None
                and grid.max_lon is not None
                and grid.min_lat is not None
                and grid.max_lat is not None
            ):
                kwargs.update(
                    longitude=rng.uniform(grid.min_lon, grid.max_lon), latitude=rng.uniform(grid.min_lat, grid.max_lat)
                )
            elif how == "address":
                names = [
                    p.name
                    for p in lineage
                    if p.level in (PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.ESTATE, PlaceLevel.BUILDING)
                ]
                body = f"{body} 地址：东城区{''.join(names)}"
            decision, _stored = services.decide_and_record(None, title, body, channel="web", record=False, **kwargs)
            counts[how] += 1
            if decision.mode == DecisionMode.AUTO:
                counts["auto"] += 1
                wrong_class = decision.category != label
                on_branch = decision.place is not None and (
                    house.path.startswith(decision.place.path) or decision.place.pk == grid.pk
                )
                if wrong_class:
                    counts["auto_wrong_class"] += 1
                if not on_branch:
                    counts["auto_wrong_place"] += 1
                if wrong_class or not on_branch:
                    counts["auto_returned"] += 1
            else:
                counts["manual"] += 1
                if label in [s.category for s in decision.suggestions]:
                    counts["manual_top3_has_class"] += 1
        seconds = time.perf_counter() - started
        auto = counts["auto"]
        result = {
            "cases": n,
            "model_version": row.version,
            "threshold": row.threshold,
            "auto_share": round(auto / n, 4),
            "auto_returned_share": round(counts["auto_returned"] / auto, 4) if auto else 0.0,
            "auto_wrong_class_share": round(counts["auto_wrong_class"] / auto, 4) if auto else 0.0,
            "auto_wrong_place_share": round(counts["auto_wrong_place"] / auto, 4) if auto else 0.0,
            "manual_share": round(counts["manual"] / n, 4),
            "manual_top3_contains_class": round(counts["manual_top3_has_class"] / counts["manual"], 4)
            if counts["manual"]
            else 0.0,
            "located_by": {k: counts[k] for k in ("point", "address", "none")},
            "ms_per_case": round(seconds * 1000 / n, 1),
        }
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"{n} cases (model v{row.version}, threshold {row.threshold:.3f})")
        self.stdout.write(f"  auto-dispatched:           {result['auto_share']:.1%}")
        self.stdout.write(
            f"  …of which would be returned: {result['auto_returned_share']:.1%} (wrong class {result['auto_wrong_class_share']:.1%}, wrong place {result['auto_wrong_place_share']:.1%})"
        )
        self.stdout.write(
            f"  sent to a person:          {result['manual_share']:.1%} (true class among the 3 suggestions: {result['manual_top3_contains_class']:.1%})"
        )
        self.stdout.write(f"  located by point / address / nothing: {result['located_by']}")
        self.stdout.write(f"  {result['ms_per_case']} ms per case")
