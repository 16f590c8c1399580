from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.dispatch.actions import rollback


class Command(BaseCommand):
    help = "Serve an earlier dispatch model again (the previous one, or --to VERSION)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=int, dest="version")

    def handle(self, *args: Any, version: int | None, **options: Any) -> None:
        try:
            row = rollback(None, version)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"now serving v{row.version}")
