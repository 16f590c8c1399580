"""`manage.py verify_timelines [--case N]`: walk every case's hash chain (or one case's) and fail loudly,
naming the first broken event, so a cron job or an auditor sees tampering as a non-zero exit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.cases.models import Case
from linli.cases.timeline import verify_all


class Command(BaseCommand):
    help = "Check every case timeline's hash chain (or one case's); exit non-zero naming the first broken event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", help="the case's number (18 digits) or database id; default: every case")

    def handle(self, *args: Any, case: str | None, **options: Any) -> None:
        ids = None
        if case:
            pk = Case.pk_from_number(case) or (int(case) if case.isdigit() and len(case) < 18 else None)
            found = Case.objects.filter(pk=pk).values_list("pk", flat=True).first() if pk else None
            if found is None:
                raise CommandError(f"no case {case}")
            ids = [found]
        checked, broken = verify_all(ids)
        if broken is not None:
            head = Case.objects.filter(pk=broken.case_id).only("pk", "created_at").first()
            where = f"case {head.number if head else '?'} (id {broken.case_id})"
            where += f", event #{broken.seq}" if broken.seq is not None else ", its head"
            raise CommandError(f"{checked} chain(s) checked; broken at {where}: {broken.problem}", returncode=1)
        if options["verbosity"]:
            self.stdout.write(f"{checked} chain(s) checked; every one is whole")
