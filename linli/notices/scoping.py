"""The scope rule for notices, registered with linli.accounts.scopes (the one place)."""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import Scope


def notices_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    """A notice is the recipient's own mail: read and marked read by them only. Platform admins may read every
    inbox (support), but never mark another person's notice read, which would hide it from them. Nobody picks
    notices from a list."""
    if action == "pick":
        return qs.none()
    if scope.everything and action != "change":
        return qs
    return qs.filter(recipient_id=scope.user_id)
