"""Every write to accounts: users, phone codes, two-factor devices, revealed personal data (grants: grant_actions)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.crypto import digest
from linli.core.masking import mask_phone
from linli.core.validation import normalize_mobile
from linli.orgs.models import Unit
from linli.places.models import Place

from .choices import PhoneCodePurpose, Role
from .models import Grant, PhoneCode, User
from .predicates import can_grant, can_manage_grants, can_reveal_personal_data
from .sms import get_backend


@transaction.atomic
def create_user(
    actor: Any,
    *,
    username: str,
    role: str,
    password: str | None = None,
    display_name: str = "",
    phone: str = "",
    places: Sequence[Place] = (),
    units: Sequence[Unit] = (),
    superuser: bool = False,
) -> User:
    """An account with its first grants: `role` over each of `places` and `units` (or over neither).

    Staff accounts are created by someone who may grant that role there (see predicates.can_grant);
    residents sign up by phone. `actor=None` is the system itself (sign-up, bootstrap commands); only it may
    make a superuser."""
    if actor is not None and not can_manage_grants(actor):
        raise PermissionDenied(_("You may not create accounts"))
    if role not in Role.values:
        raise ValidationError(_("Unknown role %(role)s"), params={"role": role})
    if superuser and actor is not None:
        raise PermissionDenied(_("Superusers are created from the command line only"))
    targets: list[dict[str, Any]] = [{"place": p} for p in places] + [{"unit": u} for u in units]
    user = User(username=username, display_name=display_name, is_superuser=superuser, is_staff=superuser)
    if actor is not None and not all(can_grant(actor, user, role, **target) for target in targets or [{}]):
        raise PermissionDenied(_("You may not grant this role here"))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Username %(name)s is taken"), params={"name": username})
    normalized = normalize_mobile(phone) if phone else ""
    if normalized and User.objects.filter(phone_digest=digest(normalized)).exists():
        raise ValidationError(_("This phone number already has an account"))
    user.phone = normalized
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    for target in targets or [{}]:
        Grant.objects.create(user=user, role=role, granted_by=actor, **target)
    audit.record(
        AuditAction.USER_CREATED,
        actor=actor,
        target=user,
        data={
            "role": role,
            "places": sorted(p.code for p in places),
            "units": sorted(u.code for u in units),
        },
    )
    return user


PROFILE_FIELDS = ("display_name", "email", "first_name", "last_name", "is_active")


@transaction.atomic
def update_profile(actor: Any, user: User, *, password: str | None = None, **changes: Any) -> User:
    """Name, e-mail, active flag and password of someone else's account; grants have their own actions."""
    if not can_manage_grants(actor, user):
        raise PermissionDenied(_("You may not change this account"))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value)
    if password:
        user.set_password(password)
    user.save()
    audit.record(
        AuditAction.USER_UPDATED,
        actor=actor,
        target=user,
        data={"before": before, "after": changes, "password_changed": bool(password)},
    )
    return user


# --------------------------------------------------------------------------------------------------
# One-time phone codes


def _hash_code(phone_digest: str, code: str) -> str:
    return make_password(f"{phone_digest}:{code}")


def send_phone_code(phone_text: str, purpose: str = PhoneCodePurpose.LOGIN) -> str:
    """Send a 6-digit code; returns the normalised phone. Refuses to resend within the resend interval."""
    phone = normalize_mobile(phone_text)
    key = digest(phone)
    now = timezone.now()
    with transaction.atomic():
        recent = (
            PhoneCode.objects.select_for_update()
            .filter(phone_digest=key, created_at__gte=now - timedelta(seconds=settings.PHONE_CODE_RESEND_SECONDS))
            .exists()
        )
        if recent:
            raise ValidationError(_("A code was just sent; wait a minute before asking again"))
        code = f"{secrets.randbelow(10**6):06d}"
        PhoneCode.objects.create(
            phone_digest=key,
            purpose=purpose,
            code_hash=_hash_code(key, code),
            expires_at=now + timedelta(seconds=settings.PHONE_CODE_TTL_SECONDS),
        )
        audit.record(
            AuditAction.PHONE_CODE_SENT,
            target_type="accounts.phone",
            target_repr=mask_phone(phone),
            data={"purpose": purpose},
        )
        message = _("Your Linli code is %(code)s, valid for %(minutes)d minutes. Never tell it to anyone.") % {
            "code": code,
            "minutes": settings.PHONE_CODE_TTL_SECONDS // 60,
        }
        transaction.on_commit(lambda: get_backend().send(phone, message))
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
        user: User | None = None
        correct = check_password(f"{key}:{(code or '').strip()}", entry.code_hash)
        if not correct:
            # Counted and committed before refusing, so guesses are limited per code.
            entry.attempts += 1
            entry.save(update_fields=["attempts"])
        else:
            entry.used_at = now
            entry.save(update_fields=["used_at"])
            user = User.objects.filter(phone_digest=key).first()
            if user is None:
                username = "r" + hmac.new(b"linli-resident", key.encode(), hashlib.sha256).hexdigest()[:12]
                user = create_user(None, username=username, role=Role.RESIDENT, phone=phone)
    if not correct or user is None:
        raise ValidationError(_("The code is wrong"))
    return user


# --------------------------------------------------------------------------------------------------
# Two-factor (TOTP) for staff


@transaction.atomic
def start_totp(user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Linli", confirmed=False)


@transaction.atomic
def confirm_totp(user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start two-factor setup first"))
    if not device.verify_token(token):
        raise ValidationError(_("The code from your authenticator app is wrong"))
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    audit.record(AuditAction.TOTP_ENABLED, actor=user, target=user)
    return device


@transaction.atomic
def disable_totp(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(AuditAction.TOTP_DISABLED, actor=user, target=user)


# --------------------------------------------------------------------------------------------------
# Personal data in the clear


def reveal(actor: Any, obj: Any, field: str, reason: str = "") -> str:
    """The clear value of a personal-data field, for roles that need it; every call is an audit event."""
    if not can_reveal_personal_data(actor, obj):
        raise PermissionDenied(_("Your role may not see this in full"))
    value = str(getattr(obj, field) or "")
    audit.record(AuditAction.PERSONAL_DATA_REVEALED, actor=actor, target=obj, data={"field": field, "reason": reason})
    return value
