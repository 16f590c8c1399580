from __future__ import annotations

from typing import Any

from linli.accounts.choices import Role
from linli.accounts.scopes import can, scope_of

DISPATCHERS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND, Role.COMMUNITY_SECRETARY, Role.PLATFORM_ADMIN})


def can_try(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or scope.role in DISPATCHERS


def can_correct(user: Any, decision: Any) -> bool:
    return can_try(user) and can(user, "change", decision)


def can_manage_models(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or scope.role == Role.DISTRICT_COMMAND
