from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.dispatch.actions import train_candidate


class Command(BaseCommand):
    help = "Retrain the dispatch model on base data plus corrections; promote it only if not worse."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for the task worker instead of running here"
        )

    # Recurring runs come from `manage.py run_scheduler` (job "dispatch.retrain"), not from this command.
    def handle(self, *args: Any, enqueue: bool, **options: Any) -> None:
        if enqueue:
            from linli.dispatch.tasks import retrain_dispatch_model

            result = retrain_dispatch_model.enqueue()
            self.stdout.write(f"queued: {result.id}")
            return
        try:
            row = train_candidate(None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"model v{row.version}: {row.get_status_display()} · {row.metrics}")
