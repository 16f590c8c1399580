from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill the demo's service catalogue: service kinds, their matters, and the demo providers' offers."

    def handle(self, *args: Any, **options: Any) -> None:
        from linli.services.demo import build_catalogue

        made = build_catalogue()
        self.stdout.write(f"{made} offers made")
