"""Which of a user's roles a page is shown in: the one picked this session, else the most senior held."""

from __future__ import annotations

from django.http import HttpRequest

from linli.accounts.choices import ROLE_SENIORITY
from linli.accounts.scopes import roles_of

SESSION_KEY = "linli_role"


def held_roles(request: HttpRequest) -> list[str]:
    held = roles_of(request.user)
    return [role for role in ROLE_SENIORITY if role in held]


def current_role(request: HttpRequest) -> str | None:
    held = held_roles(request)
    picked = request.session.get(SESSION_KEY)
    if picked in held:
        return str(picked)
    return held[0] if held else None
