from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """The top bar's unread count: one indexed COUNT per page for a logged-in user."""
    from .queries import unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": unread_count(user)}
