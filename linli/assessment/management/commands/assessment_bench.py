from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Fill the configured database up to --cases with the case generator (reusing what is there), then time "
        "a street's monthly 三率 page, the ranking of all streets and departments and the district overview "
        "(server time, median of 5) and check their figures against a from-scratch fold of the timelines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True)
        parser.add_argument("--seed", type=int, default=20261201)
        parser.add_argument("--json", action="store_true", help="end with one JSON line")

    def handle(self, *args: Any, cases: int, seed: int, json: bool, **options: Any) -> None:
        from linli.assessment.bench import run

        result = run(cases, seed, self.stdout.write)
        if json:
            self.stdout.write(
                _dumps(
                    {
                        "cases": result.cases,
                        "street_rates_ms": result.timings_ms["street_rates_ms"],
                        "ranking_ms": result.timings_ms["ranking_ms"],
                        "overview_ms": result.timings_ms["overview_ms"],
                        "equal_to_recompute": result.equal_to_recompute,
                    }
                )
            )


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)
