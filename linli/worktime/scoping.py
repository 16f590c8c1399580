"""Scope of the working calendar: a public catalogue like the responsibility list (linli.accounts.scopes)."""

from __future__ import annotations

from typing import Any

from django.db import models

from linli.accounts.scopes import RESPONSIBILITY_EDITORS, Scope


def calendar_rule(qs: models.QuerySet[Any], scope: Scope, action: str, user: Any) -> models.QuerySet[Any]:
    # Every user with a grant in force reads the calendar; district command and platform admins change it.
    if action == "change":
        return qs if scope.has(RESPONSIBILITY_EDITORS) else qs.none()
    return qs.none() if scope.empty else qs
