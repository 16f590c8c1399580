from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.accounts.models import User
from linli.core.tabular import ImportRejected
from linli.places.actions import import_places


class Command(BaseCommand):
    help = "Import a place tree from Excel or CSV (code, name, level, parent_code, …), all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", default="admin", help="the account the import is recorded under")
        parser.add_argument("--merge", action="store_true", help="leave rows that already exist under the same parent")

    def handle(self, *args: Any, file: str, username: str, merge: bool, **options: Any) -> None:
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"No account {username!r}")
        path = Path(file)
        try:
            with path.open("rb") as handle:
                result = import_places(actor, handle, path.name, merge=merge)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.bad_rows)} bad rows; nothing was imported") from exc
        self.stdout.write(f"imported {result.created} places: {result.levels}; {result.unchanged} already there")
