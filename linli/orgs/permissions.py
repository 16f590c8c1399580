from __future__ import annotations

from typing import Any

from linli.accounts.scopes import RESPONSIBILITY_EDITORS, UNIT_EDITORS, scope_of


def can_edit_responsibility_list(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or scope.role in RESPONSIBILITY_EDITORS


def can_edit_units(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or scope.role in UNIT_EDITORS
