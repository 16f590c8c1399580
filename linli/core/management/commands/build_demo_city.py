from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core import demo


class Command(BaseCommand):
    help = "Build the demo city (东城区 of Beijing) once; deterministic from --seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")

    def handle(self, *args: Any, seed: int, quiet: bool, **options: Any) -> None:
        if demo.is_built():
            if not quiet:
                self.stdout.write("The demo city is already built.")
                self.print_accounts()
            return
        started = time.monotonic()
        summary = demo.build(seed=seed)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Demo city built in {time.monotonic() - started:.1f} s"))
        self.stdout.write("Places: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.places.items())))
        self.stdout.write(f"Units: {summary.units}; matters: {summary.matters}")
        self.queue_first_model()
        self.print_accounts()

    def queue_first_model(self) -> None:
        """Queue the first dispatch model's training for the task worker; `run_scheduler` retrains it later."""
        from django.conf import settings

        from linli.dispatch.models import DispatchModel
        from linli.dispatch.tasks import retrain_dispatch_model

        if DispatchModel.objects.exists() or not settings.DISPATCH_BASE_TRAINING.exists():
            return
        retrain_dispatch_model.enqueue()
        self.stdout.write("Queued the first dispatch model's training for the task worker.")

    def print_accounts(self) -> None:
        from linli.accounts.choices import Role
        from linli.accounts.models import User
        from linli.accounts.two_factor import demo_secret
        from linli.api.demo import demo_client_key

        api_key = demo_client_key()  # first: its account is one of those listed
        self.stdout.write(f"\nDemo accounts (password for all: {demo.DEMO_PASSWORD}):")
        for user in User.objects.order_by("id"):
            secret = demo_secret(user)
            totp = f"  two-factor (TOTP secret for an authenticator app): {secret}" if secret else ""
            roles = "、".join(str(Role(r).label) for r in sorted(user.active_roles())) or "—"
            self.stdout.write(f"  {roles:<12} {user.username:<12} {user.display_name}{totp}")
        self.stdout.write("Residents can also log in with phone 13800000001 and the code written to this log.")
        self.stdout.write(f"Open311 (/open311/v2/) and API (/api/v1/) key of the demo client: {api_key}")
