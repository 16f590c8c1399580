"""The demo's Open311 client: a resident-side account whose API token `make run` prints as the api_key.

A token's secret is never stored in the database, so the demo keeps its client's key in var/ (as it keeps its
other generated keys) to print the same one on every start; it issues a new one, through the same action as
anyone's, when that key no longer works (a rebuilt database, an expired or revoked token).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import Grant, User

from .actions import issue_token
from .authentication import ApiTokenAuthentication

CLIENT_USERNAME = "demo-open311-client"
KEY_FILE = Path(settings.BASE_DIR) / "var" / "demo-open311-key"


def demo_client_key(path: Path | None = None) -> str:
    path = path or KEY_FILE
    if path.exists():
        secret = path.read_text(encoding="ascii").strip()
        try:
            ApiTokenAuthentication().authenticate_token(secret)
        except AuthenticationFailed:
            pass
        else:
            return secret
    user = User.objects.filter(username=CLIENT_USERNAME).first()
    if user is None:
        # No password: the account is only ever used through its token.
        user = create_user(None, username=CLIENT_USERNAME, role=Role.RESIDENT, display_name="Open311 演示客户端")
    grant = Grant.objects.active().filter(user=user, role=Role.RESIDENT).first()
    if grant is None:
        raise RuntimeError(f"{CLIENT_USERNAME} has no resident grant in force: end the account and start again")
    _token, secret = issue_token(None, grant, name="Open311 demo client", days=settings.API_TOKEN_MAX_DAYS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secret + "\n", encoding="ascii")
    os.chmod(path, 0o600)
    return secret
