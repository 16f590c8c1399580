"""Remove the people whose retention has run out, keeping anonymous counts (linli.people.retention).

The scheduler runs the same purge daily (people.purge); this is for a first run, a check with --dry-run,
or a rerun after a rule changed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.people.choices import Residency
from linli.people.retention import purge


class Command(BaseCommand):
    help = "Delete persons past their retention period, keeping anonymous counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; change nothing.")
        parser.add_argument("--today", help="Purge as of this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date as YYYY-MM-DD") from None
        result = purge(today=today, dry_run=options["dry_run"])
        verb = "would remove" if result.dry_run else "removed"
        for value, label in Residency.choices:
            self.stdout.write(f"{value} ({label}): {verb} {result.by_residency.get(value, 0)}")
        self.stdout.write(f"total: {verb} {result.total}")
        if not result.dry_run:
            self.stdout.write(f"visit photos deleted: {result.photos}")
