"""Permission predicates: what a user may do (issue 15, the second of three questions), shared by every app.

Each predicate checks the roles of the user's grants in force and, where an object is involved, whether the
object lies in the user's data scope for the action, through `restrict`/`can` (linli.accounts.scopes). None
computes a scope itself. Routing choices are a third question, answered by linli.orgs.directory.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from .choices import STAFF_ROLES, UNMASK_ROLES, Role
from .scopes import (
    PLACE_EDITORS,
    RESPONSIBILITY_EDITORS,
    UNIT_EDITORS,
    can,
    in_grant_reach,
    is_platform_admin,
    roles_of,
    scope_of,
)

# Roles whose accounts reach everyone's data or the audit trail: a stolen password must not be enough.
TWO_FACTOR_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.DISTRICT_COMMAND, Role.AUDITOR})
# Roles only a platform administrator may hand out: district command holds neither, so cannot grant them.
ADMIN_GRANTED_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.AUDITOR})
GRANT_MANAGERS = frozenset({Role.DISTRICT_COMMAND})
DISPATCHERS = frozenset({Role.STREET_DISPATCHER, Role.DISTRICT_COMMAND, Role.COMMUNITY_SECRETARY})
MODEL_MANAGERS = frozenset({Role.DISTRICT_COMMAND})
CALENDAR_EDITORS = frozenset({Role.DISTRICT_COMMAND})


def requires_two_factor(user: Any) -> bool:
    """True for users holding, now, a grant of a role that must log in with a second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(roles_of(user) & TWO_FACTOR_ROLES)


def is_government_staff(user: Any) -> bool:
    return scope_of(user).has(STAFF_ROLES)


def can_manage_grants(user: Any, target_user: models.Model | None = None) -> bool:
    """Whether the user may grant and end roles at all (no target), or for this account: never their own."""
    if not scope_of(user).has(GRANT_MANAGERS):
        return False
    if target_user is None:
        return True
    return target_user.pk != user.pk and can(user, "change", target_user)


def can_grant(user: Any, target_user: models.Model, role: str, place: Any = None, unit: Any = None) -> bool:
    """Whether the user may give `target_user` this role at this place or unit: never to themselves, never a
    role they may not hand out, never outside their own district."""
    if role in ADMIN_GRANTED_ROLES and not is_platform_admin(user):
        return False
    if target_user.pk is not None and not can_manage_grants(user, target_user):
        return False
    if is_platform_admin(user):
        return True
    return scope_of(user).has(GRANT_MANAGERS) and in_grant_reach(user, place=place, unit=unit)


def can_end_grant(user: Any, grant: Any) -> bool:
    if grant.role in ADMIN_GRANTED_ROLES and not is_platform_admin(user):
        return False
    return scope_of(user).has(GRANT_MANAGERS) and can(user, "change", grant)


def can_edit_registry(user: Any, place: Any) -> bool:
    """Creating or changing a place below `place` (roots: platform administrators only)."""
    if place is None:
        return is_platform_admin(user)
    return scope_of(user).has(PLACE_EDITORS) and can(user, "change", place)


def can_import_places(user: Any) -> bool:
    return scope_of(user).has(PLACE_EDITORS)


def can_edit_units(user: Any) -> bool:
    return scope_of(user).has(UNIT_EDITORS)


def can_edit_responsibility_list(user: Any) -> bool:
    return scope_of(user).has(RESPONSIBILITY_EDITORS)


def can_dispatch(user: Any) -> bool:
    """Use the dispatch engine: the try page, decisions and their corrections."""
    return scope_of(user).has(DISPATCHERS)


def can_correct_decision(user: Any, decision: Any) -> bool:
    return can_dispatch(user) and can(user, "change", decision)


def can_manage_models(user: Any) -> bool:
    return scope_of(user).has(MODEL_MANAGERS)


def can_reveal_personal_data(user: Any, obj: Any) -> bool:
    """Phone and identity numbers in the clear, for roles whose work needs them, on objects they may read."""
    return scope_of(user).has(UNMASK_ROLES) and can(user, "view", obj)


def can_edit_calendar(user: Any) -> bool:
    """The official working calendar (linli.worktime): its days off, make-up days and loaded years."""
    return scope_of(user).has(CALENDAR_EDITORS)
