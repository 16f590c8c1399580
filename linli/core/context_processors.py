from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the top bar offers: only links the user's role can open."""
    from linli.dispatch.permissions import can_try

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can_dispatch": can_try(user)}
