"""The base queryset of every model that holds scoped data: `.restrict(user, action)` starts each read."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models

_M = TypeVar("_M", bound=models.Model)


class RestrictedQuerySet(models.QuerySet[_M]):
    def restrict(self, user: Any, action: str = "view") -> Self:
        from linli.accounts.scopes import restrict

        return restrict(self, user, action)
