from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.accounts.models import Grant
from linli.api.actions import issue_token


class Command(BaseCommand):
    help = "Issue an API token acting for one user within one of their grants; prints the secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="username")
        parser.add_argument("--grant-id", type=int, required=True, help="a grant of that user, in force")
        parser.add_argument("--days", type=int, required=True, help="lifetime in days (at most API_TOKEN_MAX_DAYS)")
        parser.add_argument("--name", required=True, help="which client uses it")

    def handle(self, *args: Any, user: str, grant_id: int, days: int, name: str, **options: Any) -> None:
        grant = Grant.objects.filter(pk=grant_id, user__username=user).first()
        if grant is None:
            raise CommandError(f"User {user!r} has no grant {grant_id}")
        try:
            token, secret = issue_token(None, grant, name=name, days=days)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"Token {token.prefix} for {user} ({grant.get_role_display()}), expires {token.expires_at:%Y-%m-%d}."
        )
        self.stdout.write("The secret is shown only now; store it in the client:")
        self.stdout.write(secret)
