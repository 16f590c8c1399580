"""Check a published vote result file: the tally, outcome and root recomputed from its ballots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.participation.result import verify_result


class Command(BaseCommand):
    help = "Recompute a vote result file's tally, outcome and root from its ballots; prints OK or the first problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        problems = verify_result(data)
        if problems:
            raise CommandError(problems[0])
        self.stdout.write("OK")
