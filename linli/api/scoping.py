"""The scope rule for API tokens, registered with linli.accounts.scopes (the one place)."""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import Scope


def tokens_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """A token is seen and revoked by the user it acts for, and by platform admins; nobody else, since a
    token's name and last use say which systems call the API."""
    if scope.everything:
        return qs
    if scope.empty or action == "pick":
        return qs.none()
    return qs.filter(grant__user_id=scope.user_id)
