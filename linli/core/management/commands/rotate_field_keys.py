from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.rotation import rotate_field_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the newest key. Put the new key first in "
        "FIELD_ENCRYPTION_KEYS (keep the old ones after it), run this, then drop the old keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            report = rotate_field_keys(batch_size=batch_size)
        except ValueError as exc:  # a value no configured key opens: say so, the batch was rolled back
            raise CommandError(f"{exc}; add the key that wrote it to FIELD_ENCRYPTION_KEYS and rerun") from exc
        # Counts only: never a key, never a value.
        for label, count in sorted(report.rotated.items()):
            self.stdout.write(f"{label}: {count} re-encrypted, {report.current[label]} already under the newest key")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.total_rotated} values now under the newest of {len(settings.FIELD_ENCRYPTION_KEYS)} keys"
            )
        )
