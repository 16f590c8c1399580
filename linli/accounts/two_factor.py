"""Two-factor login: TOTP devices and single-use recovery codes (django-otp's totp and static plugins).

Platform admins, district command and auditors must use it; anyone else may. Every change and every use of
a recovery code is an audit event.
"""

from __future__ import annotations

import base64
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core import audit
from linli.core.choices import AuditAction

from .models import User
from .predicates import requires_two_factor

RECOVERY_CODE_COUNT = 10


def has_two_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _token_text(token: str) -> str:
    return "".join((token or "").split())


@transaction.atomic
def start_totp(user: User) -> TOTPDevice:
    """A new, unconfirmed device with a fresh random key; confirming it with a code switches it on."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Linli", confirmed=False)


@transaction.atomic
def confirm_totp(user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Switch the pending device on; returns it and the new recovery codes, shown to the user once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start two-factor setup first"))
    if not device.verify_token(_token_text(token)):
        raise ValidationError(_("The code from your authenticator app is wrong"))
    device.confirmed = True
    device.save()
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    audit.record(AuditAction.TOTP_ENABLED, actor=user, target=user, data={"recovery_codes": len(codes)})
    return device, codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify_second_factor(user: User, token: str) -> Device | None:
    """The device that accepts the code: the TOTP device (throttled, each time step used once) or a
    recovery code (consumed). None when nothing accepts it."""
    text = _token_text(token)
    if not text:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(text):  # each plugin checks its own throttle first
                if isinstance(device, StaticDevice):
                    left = device.token_set.count()
                    audit.record(AuditAction.RECOVERY_CODE_USED, actor=user, target=user, data={"left": left})
                return device
    return None


@transaction.atomic
def regenerate_recovery_codes(user: User, token: str) -> list[str]:
    """New recovery codes replace the old ones; needs a current code from the authenticator app."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationError(_("Two-factor login is not on"))
    if not device.verify_token(_token_text(token)):
        raise ValidationError(_("The code from your authenticator app is wrong"))
    codes = _new_recovery_codes(user)
    audit.record(AuditAction.RECOVERY_CODES_REGENERATED, actor=user, target=user, data={"count": len(codes)})
    return codes


@transaction.atomic
def disable_two_factor(user: User, *, password: str, token: str) -> None:
    """Switch two-factor off: needs the password and a current code, and is refused where it is required."""
    if requires_two_factor(user):
        raise PermissionDenied(_("Your role requires two-factor login; it cannot be turned off"))
    if not user.check_password(password or ""):
        raise ValidationError(_("The password is wrong"))
    if verify_second_factor(user, token) is None:
        raise ValidationError(_("The code from your authenticator app is wrong"))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(AuditAction.TOTP_DISABLED, actor=user, target=user)


def enrol_for_demo(users: Any) -> None:
    """Demo only: a confirmed TOTP device with a fresh random key for each account whose role requires
    two-factor, so a person can add its secret (demo_secret) to an authenticator app and log in."""
    for user in users:
        if requires_two_factor(user) and not has_two_factor(user):
            TOTPDevice.objects.create(user=user, name="Linli demo", confirmed=True)
            audit.record(AuditAction.TOTP_ENABLED, actor=None, target=user, data={"demo": True})


def demo_secret(user: Any) -> str:
    """The base32 secret of the user's confirmed TOTP device (what authenticator apps take), or ""."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return base64.b32encode(device.bin_key).decode() if device is not None else ""
