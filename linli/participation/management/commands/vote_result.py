"""Write the published result file of a closed owners' vote (docs/participation-result-format.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.participation.choices import VoteState
from linli.participation.models_votes import Vote
from linli.participation.result import KEYS


def result_text(vote: Vote) -> str:
    """The file's text: the result stored at closing, keys in the format's order, UTF-8 characters as such."""
    stored = vote.result or {}
    return json.dumps({key: stored[key] for key in KEYS}, ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Write a closed vote's published result as JSON: --vote N (stdout or --out FILE), or --all --dir DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--vote", type=int, help="the vote's id")
        parser.add_argument("--out", help="write to this file instead of standard output")
        parser.add_argument("--all", action="store_true", help="every closed vote, one file each")
        parser.add_argument("--dir", help="with --all: the folder for the vote-<id>.json files")

    def handle(self, *args: Any, vote: int | None, out: str | None, all: bool, dir: str | None, **opts: Any) -> None:
        if all:
            if not dir or vote is not None or out:
                raise CommandError("--all needs --dir and neither --vote nor --out")
            folder = Path(dir)
            folder.mkdir(parents=True, exist_ok=True)
            written = 0
            for closed in Vote.objects.filter(state=VoteState.CLOSED, result__isnull=False).order_by("pk"):
                (folder / f"vote-{closed.pk}.json").write_text(result_text(closed), encoding="utf-8")
                written += 1
            self.stderr.write(f"{written} result file(s) written to {folder}")
            return
        if vote is None:
            raise CommandError("give --vote N, or --all --dir DIR")
        found = Vote.objects.filter(pk=vote).first()
        if found is None:
            raise CommandError(f"no vote {vote}")
        if found.state != VoteState.CLOSED or not found.result:
            raise CommandError(f"vote {vote} is {found.state}: a result is published when the vote closes")
        text = result_text(found)
        if out:
            Path(out).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
