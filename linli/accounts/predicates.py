"""Permission predicates: what a user may do to an object (issue 15, the second of three questions).

Each predicate checks the roles of the user's grants in force and, where an object is involved, the object's
place in the user's data scope through `restrict`/`can` (linli.accounts.scopes). None computes a scope itself.
"""

from __future__ import annotations

from typing import Any

from .choices import Role

# Roles whose accounts reach everyone's data or the audit trail: a stolen password must not be enough.
TWO_FACTOR_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.DISTRICT_COMMAND, Role.AUDITOR})


def requires_two_factor(user: Any) -> bool:
    """True for users holding, now, a grant of a role that must log in with a second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.active_roles() & TWO_FACTOR_ROLES)
