from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from linli.core import demo


class Command(BaseCommand):
    help = (
        "Build the demo city (东城区 of Beijing) once, its registered population once (LINLI_DEMO_PERSONS or "
        "--persons, default 50,000), then a year of requests on it once (LINLI_DEMO_CASES or --cases, default "
        "20,000); deterministic from --seed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=20261123)
        parser.add_argument("--cases", type=int, default=None, help="how many requests the demo history holds")
        parser.add_argument("--persons", type=int, default=None, help="how many people the demo registry holds")
        parser.add_argument("--quiet", action="store_true", help="print nothing but errors")

    def handle(
        self, *args: Any, seed: int, cases: int | None, persons: int | None, quiet: bool, **options: Any
    ) -> None:
        built_now = not demo.is_built()
        if built_now:
            started = time.monotonic()
            summary = demo.build(seed=seed)
            if not quiet:
                self.stdout.write(self.style.SUCCESS(f"Demo city built in {time.monotonic() - started:.1f} s"))
                self.stdout.write("Places: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.places.items())))
                self.stdout.write(f"Units: {summary.units}; matters: {summary.matters}")
        elif not quiet:
            self.stdout.write("The demo city is already built.")
        # The people first: the history's reporters include some of them, and its requests link to them.
        people_now = self.build_population(persons, seed, quiet)
        history_now = self.build_history(cases, seed, quiet)
        if people_now or history_now:
            self.link_reporters(quiet)
        self.build_participation(seed, quiet)
        self.build_community_services(seed, quiet)
        if quiet:
            return
        if built_now:
            self.queue_first_model()
        self.print_accounts()

    def build_population(self, persons: int | None, seed: int, quiet: bool) -> bool:
        from linli.people import demo as people

        if not quiet:
            self.stdout.write(f"Building the demo population ({persons or people.wanted_count()} people)…")
        built = people.build(persons, seed=seed)
        if quiet:
            return built is not None
        if built is None:
            self.stdout.write("The demo population is already there.")
            return False
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo population built in {built.seconds:.1f} s: {built.persons} people in {built.households} "
                f"households on {built.houses} houses of {built.communities} communities"
            )
        )
        self.stdout.write("Rows: " + ", ".join(f"{k} {v}" for k, v in built.counts.items()))
        return True

    def build_participation(self, seed: int, quiet: bool) -> None:
        from linli.participation import demo as participation

        built = participation.build(seed=seed)
        if quiet or built is None:
            return
        self.stdout.write(self.style.SUCCESS("Owners' votes and deliberation topics built:"))
        for line in built.votes.values():
            self.stdout.write(f"  {line}")
        self.stdout.write("  Topics: " + ", ".join(f"{state} #{pk}" for state, pk in built.topics.items()))

    def build_community_services(self, seed: int, quiet: bool) -> None:
        """Issue 20's demo: the service catalogue, volunteers and their hours, the library, projects."""
        from linli.core.demo_services import build_all

        started = time.monotonic()
        lines = build_all(seed)
        if quiet or not lines:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Services, volunteers, library and projects built in {time.monotonic() - started:.1f} s:"
            )
        )
        for line in lines:
            self.stdout.write(f"  {line}")

    def link_reporters(self, quiet: bool) -> None:
        from linli.people.linking import link_all

        linked = link_all()
        if linked and not quiet:
            self.stdout.write(f"Linked {linked} requests to their reporters in the registry.")

    def build_history(self, cases: int | None, seed: int, quiet: bool) -> bool:
        from linli.cases import demo_history

        if not quiet:
            self.stdout.write(f"Building the demo history ({cases or demo_history.wanted_count()} requests)…")
        history = demo_history.build(cases, seed=seed)
        if history is None:
            if not quiet:
                self.stdout.write("The demo history is already there.")
            return False
        from linli.assessment.recompute import rebuild

        rebuild()  # the history was written in bulk, past the timeline's listeners: fold it once
        if quiet:
            return True
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo history built in {history.seconds['total']:.1f} s: {history.cases} requests, "
                f"{history.events} timeline events"
            )
        )
        self.stdout.write("States: " + ", ".join(f"{k} {v}" for k, v in history.states.most_common()))
        return True

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
        from linli.api.demo import CLIENT_USERNAME, demo_client_key

        api_key = demo_client_key()  # first: its account is one of those listed
        self.stdout.write(f"\nDemo accounts (password for all: {demo.DEMO_PASSWORD}):")
        # The staff and residents the demo history made have no password: they are names on timelines.
        others = 0
        for user in User.objects.order_by("id"):
            if not user.has_usable_password():
                others += 1
                continue
            secret = demo_secret(user)
            totp = f"  two-factor (TOTP secret for an authenticator app): {secret}" if secret else ""
            roles = "、".join(str(Role(r).label) for r in sorted(user.active_roles())) or "—"
            self.stdout.write(f"  {roles:<12} {user.username:<12} {user.display_name}{totp}")
        if others:
            self.stdout.write(
                f"  … and {others} staff and resident accounts without a password, who act in the history."
            )
        self.stdout.write("Residents can also log in with phone 13800000001 and the code written to this log.")
        self.stdout.write(
            f"Open311 (/open311/v2/) and API (/api/v1/) key of the demo client ({CLIENT_USERNAME}): {api_key}"
        )
