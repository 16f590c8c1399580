"""Authentication backends besides Django's own: one-time phone codes. Password attempts are counted and
locked out by django-axes (settings.AUTHENTICATION_BACKENDS puts its backend first)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User
from .phone_codes import may_use_phone_login


class PhoneCodeBackend(ModelBackend):
    """Logs in the user whose phone a verified one-time code proved (phone_codes.verify_phone_code);
    residents and volunteers only."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, phone_verified_user: User | None = None, **kwargs: Any
    ) -> User | None:
        if phone_verified_user is None or not self.user_can_authenticate(phone_verified_user):
            return None
        if not may_use_phone_login(phone_verified_user):
            return None
        return phone_verified_user
