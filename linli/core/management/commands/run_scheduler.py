from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core import schedule


class Command(BaseCommand):
    help = "Enqueue the periodic jobs apps register (linli.core.schedule) when they are due; runs until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit (for tests and cron)")
        parser.add_argument(
            "--wake", type=float, default=schedule.WAKE_SECONDS, help="seconds between passes (default 5)"
        )

    def handle(self, *args: Any, once: bool, wake: float, **options: Any) -> None:
        if once:
            queued = schedule.run_pass()
            if options["verbosity"]:
                self.stdout.write("queued: " + (", ".join(queued) or "nothing due"))
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        if options["verbosity"]:
            names = ", ".join(sorted(schedule.jobs())) or "none"
            self.stdout.write(f"scheduler: jobs {names}; a pass every {wake:g} s")
        schedule.run_forever(stop, wake)
