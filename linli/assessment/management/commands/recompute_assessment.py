from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.assessment import recompute


class Command(BaseCommand):
    help = (
        "Fold every case timeline again and compare the facts and day rows with those kept (exit 1 on any "
        "difference); --write replaces them with what the timelines give (after a history written in bulk)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true")

    def handle(self, *args: Any, write: bool, **options: Any) -> None:
        started = time.monotonic()
        if write:
            count = recompute.rebuild()
            self.stdout.write(f"Rebuilt the figures of {count} cases in {time.monotonic() - started:.1f} s")
            return
        report = recompute.compare()
        took = time.monotonic() - started
        if report.equal:
            self.stdout.write(f"{report.cases} cases: every kept figure equals the recomputation ({took:.1f} s)")
            return
        raise CommandError(
            f"{report.cases} cases: {len(report.facts_differing)} facts, {len(report.unit_rows_differing)} unit "
            f"days and {len(report.place_rows_differing)} grid days differ; first cases: "
            f"{report.facts_differing[:10]}, first unit days: {report.unit_rows_differing[:5]}"
        )
