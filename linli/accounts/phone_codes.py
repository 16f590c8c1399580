"""One-time phone codes: how residents and volunteers log in (and sign up) without a password.

Codes are stored as an HMAC keyed by the server secret (cheap to check, useless without the key), expire,
allow a few tries, and sending is throttled per phone and per client address.

Staff phones: an account holding any role besides resident and volunteer must log in with password and
two-factor. Asking for a code for such a phone looks exactly like asking for any other number (so the page
does not tell a stranger which numbers belong to officials); no code is made, and the phone itself gets a
message saying to use password and two-factor. The login page says the same to everyone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.crypto import digest
from linli.core.masking import mask_phone
from linli.core.validation import normalize_mobile

from .actions import create_user
from .choices import PhoneCodePurpose, Role
from .models import Grant, PhoneCode, User
from .sms import get_backend

PHONE_LOGIN_ROLES = frozenset({Role.RESIDENT, Role.VOLUNTEER})
_PURPOSE = "linli.accounts.phone-code"
# Stored for the send that goes to a staff phone: no HMAC hex digest ever equals it, so no code matches.
_NO_CODE = "!"


def code_hmac(phone_digest: str, code: str) -> str:
    return salted_hmac(_PURPOSE, f"{phone_digest}:{code}", algorithm="sha256").hexdigest()


def may_use_phone_login(user: User) -> bool:
    """Only residents and volunteers: no staff flag, and no grant of another role that has not ended."""
    if user.is_staff or user.is_superuser:
        return False
    now = timezone.now()
    other = (
        Grant.objects.filter(user=user)
        .exclude(role__in=PHONE_LOGIN_ROLES)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=now))
    )
    return not other.exists()


def _check_send_limits(key: str, ip: str | None, now: object) -> None:
    hour_ago = now - timedelta(hours=1)  # type: ignore[operator]
    recent = PhoneCode.objects.filter(phone_digest=key)
    resend_after = now - timedelta(seconds=settings.PHONE_CODE_RESEND_SECONDS)  # type: ignore[operator]
    if recent.filter(created_at__gte=resend_after).exists():
        raise ValidationError(_("A code was just sent; wait a minute before asking again"))
    if recent.filter(created_at__gte=hour_ago).count() >= settings.PHONE_CODE_MAX_PER_HOUR:
        raise ValidationError(_("Too many codes for this number in the last hour; please try again later"))
    if ip and (
        PhoneCode.objects.filter(client_ip=ip, created_at__gte=hour_ago).count()
        >= settings.PHONE_CODE_MAX_PER_ADDRESS_PER_HOUR
    ):
        raise ValidationError(_("Too many codes requested from this network in the last hour; please try again later"))


def send_phone_code(phone_text: str, purpose: str = PhoneCodePurpose.LOGIN, *, client_ip: str | None = None) -> str:
    """Send a 6-digit code; returns the normalised phone. Throttled per phone and per client address."""
    phone = normalize_mobile(phone_text)
    key = digest(phone)
    now = timezone.now()
    backend = get_backend()  # a backend refused here (log backend in production) leaves nothing written
    with transaction.atomic():
        # Serialises sends for one phone so two parallel requests cannot both pass the limits.
        list(PhoneCode.objects.select_for_update().filter(phone_digest=key).values_list("pk", flat=True))
        _check_send_limits(key, client_ip, now)
        owner = User.objects.filter(phone_digest=key).first()
        staff = owner is not None and not may_use_phone_login(owner)
        code = f"{secrets.randbelow(10**6):06d}"
        PhoneCode.objects.create(
            phone_digest=key,
            purpose=purpose,
            code_hash=_NO_CODE if staff else code_hmac(key, code),
            client_ip=client_ip,
            expires_at=now + timedelta(seconds=settings.PHONE_CODE_TTL_SECONDS),
        )
        if staff:
            audit.record(AuditAction.PHONE_CODE_REFUSED, target=owner, data={"ip": client_ip})
            message = _(
                "Someone asked for a Linli login code for this number. Staff accounts log in with their "
                "password and two-factor code, not by SMS."
            )
        else:
            audit.record(
                AuditAction.PHONE_CODE_SENT,
                target_type="accounts.phone",
                target_repr=mask_phone(phone),
                data={"purpose": purpose, "ip": client_ip},
            )
            message = _("Your Linli code is %(code)s, valid for %(minutes)d minutes. Never tell it to anyone.") % {
                "code": code,
                "minutes": settings.PHONE_CODE_TTL_SECONDS // 60,
            }
        transaction.on_commit(lambda: backend.send(phone, message))
    return phone


def verify_phone_code(phone_text: str, code: str) -> User:
    """Check the latest code for the phone; on success return its user, creating a resident on first use."""
    phone = normalize_mobile(phone_text)
    key = digest(phone)
    now = timezone.now()
    with transaction.atomic():
        entry = (
            PhoneCode.objects.select_for_update()
            .filter(phone_digest=key, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if entry is None:
            raise ValidationError(_("No valid code for this phone; ask for a new one"))
        if entry.attempts >= settings.PHONE_CODE_MAX_ATTEMPTS:
            raise ValidationError(_("Too many wrong codes; ask for a new one"))
        correct = constant_time_compare(code_hmac(key, (code or "").strip()), entry.code_hash)
        user: User | None = None
        if not correct:
            # Counted and committed before refusing, so guesses are limited per code.
            entry.attempts += 1
            entry.save(update_fields=["attempts"])
        else:
            entry.used_at = now
            entry.save(update_fields=["used_at"])
            user = User.objects.filter(phone_digest=key).first()
            if user is not None and not may_use_phone_login(user):
                # A code sent before the account got a staff role: still no phone door for staff.
                raise PermissionDenied(_("Staff accounts log in with password and two-factor, not by phone code"))
            if user is None:
                username = "r" + hmac.new(b"linli-resident", key.encode(), hashlib.sha256).hexdigest()[:12]
                user = create_user(None, username=username, role=Role.RESIDENT, phone=phone)
    if not correct or user is None:
        raise ValidationError(_("The code is wrong"))
    return user
