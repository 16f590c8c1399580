"""Authentication: passwords with lockout after repeated failures, and one-time phone codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone

from linli.core import audit
from linli.core.choices import AuditAction

from .models import LoginFailure, User


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def recent_failures(username: str) -> int:
    since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return LoginFailure.objects.filter(username__iexact=username, occurred_at__gte=since).count()


def is_locked(username: str) -> bool:
    return recent_failures(username) >= settings.LOGIN_FAILURE_LIMIT


class LockoutModelBackend(ModelBackend):
    """Refuses a username with too many recent failures, even with the right password, so that guessing
    cannot go on in the background of a locked account."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        if is_locked(username):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username[:150], ip_address=client_ip(request))
            target = User.objects.filter(username__iexact=username).first()
            audit.record(
                AuditAction.LOGIN_FAILED,
                target=target,
                target_type="accounts.user",
                target_repr=username[:150],
                data={"ip": client_ip(request)},
            )
            if is_locked(username):
                audit.record(
                    AuditAction.LOGIN_LOCKED, target=target, target_type="accounts.user", target_repr=username[:150]
                )
            return None
        LoginFailure.objects.filter(username__iexact=username).delete()
        return user  # type: ignore[return-value]


class PhoneCodeBackend(ModelBackend):
    """Logs in the user whose phone a verified one-time code proved; see actions.verify_phone_code."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, phone_verified_user: User | None = None, **kwargs: Any
    ) -> User | None:
        if phone_verified_user is None or not self.user_can_authenticate(phone_verified_user):
            return None
        return phone_verified_user
