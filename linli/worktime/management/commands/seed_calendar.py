"""Add the years a newer chinese-calendar knows and the table lacks (the data migration seeded the rest)."""

from typing import Any

from django.core.management.base import BaseCommand

from linli.worktime.models import CalendarDay, CalendarYear
from linli.worktime.seed import seed


class Command(BaseCommand):
    help = "Seed the holiday table from chinese-calendar for years not yet loaded; loaded years stay as edited."

    def handle(self, *args: Any, **options: Any) -> None:
        added = seed(CalendarDay, CalendarYear)
        self.stdout.write(f"{added} year(s) added from chinese-calendar")
