"""The Django admin behind Linli's own login: no password-only door.

The admin's login page sends people to Linli's login (throttled, with two-factor), and the admin opens only
for an active staff member whose session has passed the second factor.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class LinliAdminSite(AdminSite):
    site_header = "邻里 Linli"
    site_title = "邻里 Linli"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(user.is_active and user.is_staff and verified is not None and verified())

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:  # type: ignore[override]
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not target.startswith("/") or target.startswith("//"):
            target = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            # Logged in without the second factor: set it up there. Verified but not staff: no admin.
            verified = request.user.is_verified()  # type: ignore[union-attr,attr-defined]
            return redirect("home" if verified else "accounts:security")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class LinliAdminConfig(AdminConfig):
    default_site = "linli.accounts.admin_site.LinliAdminSite"
