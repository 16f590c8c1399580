"""Two-factor is mandatory for the roles that can see or change the most (predicates.requires_two_factor).

A session of such a user that has not passed the second factor reaches only the enrolment page, logout,
static files and the language switch: without a device it is sent to enrolment; with one (a session that
somehow skipped the code step) it is logged out and sent back to the login page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .predicates import requires_two_factor
from .two_factor import has_two_factor


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _allowed(self, path: str) -> bool:
        allowed = (
            reverse("accounts:security"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            reverse("accounts:login_otp"),
            "/" + settings.STATIC_URL.lstrip("/"),
            "/i18n/",
        )
        return path.startswith(allowed)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not self._allowed(request.path)
            and requires_two_factor(user)
        ):
            return self._refuse(request, enrolled=has_two_factor(user))
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, *, enrolled: bool) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor login is required for your role")}, status=403)
        if enrolled:
            logout(request)
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
        return redirect("accounts:security")
