"""What django-axes needs from Linli: the client's address, the name it records, the lockout page, and
audit events for failed and locked-out logins.

Axes counts failures per client address and per username at that address (settings.AXES_LOCKOUT_PARAMETERS),
never per username alone, so a stranger cannot keep an official locked out from elsewhere.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.choices import AuditAction

from .models import User

_HASH_PURPOSE = "linli.accounts.unknown-login-name"
_CACHE = "_linli_login_names"


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the N-th X-Forwarded-For entry from the right.

    Each trusted proxy appends the address it received the request from, so the right-most N entries are
    written by our own proxies; anything to their left came from the client and could be forged."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    return hops[-count] if len(hops) >= count else remote


def hashed_name(typed: str) -> str:
    """A keyed hash of text typed as a username that matches no account: repeated tries still group
    together, but a password typed into the username box is not kept."""
    return "?" + salted_hmac(_HASH_PURPOSE, typed.strip().lower(), algorithm="sha256").hexdigest()[:32]


def recorded_name(typed: str | None) -> str | None:
    """The account's username when the typed text names one (case-insensitively), else its keyed hash."""
    if not typed:
        return None
    username = User.objects.filter(username__iexact=typed.strip()).values_list("username", flat=True).first()
    return username if username is not None else hashed_name(typed)


def username_for_records(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: axes asks several times per attempt, so the answer is kept on the request."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = getattr(request, "POST", {}).get("username")
    if not typed:
        return None
    cache: dict[str, str | None] = request.__dict__.setdefault(_CACHE, {})
    if typed not in cache:
        cache[typed] = recorded_name(typed)
    return cache[typed]


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed logins from this device. Please try again in %(minutes)d minutes.") % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout and its cool-off time."""
    from .forms import PasswordLoginForm, PhoneForm

    context = {"form": PasswordLoginForm(), "phone_form": PhoneForm(), "tab": "password", "lockout": lockout_message()}
    return render(request, "accounts/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@receiver(user_login_failed, dispatch_uid="linli.accounts.audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any) -> None:
    typed = credentials.get("username")
    if not typed:
        return  # not a password attempt (e.g. a phone-verified login of a disabled account)
    name = username_for_records(request, credentials) if request is not None else recorded_name(typed)
    target = User.objects.filter(username=name).first() if name and not name.startswith("?") else None
    ip = client_ip(request) if request is not None else None
    locked = bool(request is not None and getattr(request, "axes_locked_out", False))
    audit.record(
        AuditAction.LOGIN_FAILED,
        target=target,
        target_type="accounts.user",
        target_repr=name or "",
        data={"ip": ip, "locked_out": locked},
    )


@receiver(user_locked_out, dispatch_uid="linli.accounts.audit_locked_out")
def audit_locked_out(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **_: Any) -> None:
    target = User.objects.filter(username=username).first() if username and not username.startswith("?") else None
    audit.record(
        AuditAction.LOGIN_LOCKED,
        target=target,
        target_type="accounts.user",
        target_repr=username or "",
        data={"ip": ip_address},
    )
