from __future__ import annotations

from typing import Any

from linli.accounts.scopes import PLACE_EDITORS, can, scope_of

from .models import Place


def can_edit_under(user: Any, parent: Place | None) -> bool:
    """Creating or changing a place needs edit rights on its parent (roots: platform administrators)."""
    scope = scope_of(user)
    if parent is None:
        return scope.everything
    return scope.role in PLACE_EDITORS and can(user, "change", parent)


def can_import(user: Any) -> bool:
    return scope_of(user).role in PLACE_EDITORS
