from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the top bar offers: only links the user's roles can open, and the roles themselves."""
    from linli.accounts.choices import Role
    from linli.accounts.predicates import (
        can_dispatch,
        can_manage_grants,
        can_read_assessment,
        can_read_registry,
        can_read_service_catalogue,
    )

    from .roles import current_role, held_roles

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "can_dispatch": can_dispatch(user),
        "can_manage_grants": can_manage_grants(user),
        "can_read_registry": can_read_registry(user),
        "can_read_assessment": can_read_assessment(user),
        "can_read_services": can_read_service_catalogue(user),
        "held_roles": [(role, Role(role).label) for role in held_roles(request)],
        "current_role": current_role(request),
    }
