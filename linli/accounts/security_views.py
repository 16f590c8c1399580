"""The account's security page: enrol in two-factor, make new recovery codes, switch two-factor off."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core.masking import mask_phone

from . import two_factor
from .forms import DisableTwoFactorForm, TokenForm
from .models import User
from .predicates import requires_two_factor


@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = TokenForm(request.POST or None)
    disable_form = DisableTwoFactorForm(request.POST if request.POST.get("action") == "disable" else None)
    new_codes: list[str] = []
    if request.method == "POST":
        what = request.POST.get("action")
        try:
            if what == "start":
                two_factor.start_totp(user)
            elif what == "confirm" and form.is_valid():
                device, new_codes = two_factor.confirm_totp(user, form.cleaned_data["token"])
                otp_login(request, device)  # this session has just proved the second factor
                messages.success(request, _("Two-factor login is on"))
            elif what == "regenerate" and form.is_valid():
                new_codes = two_factor.regenerate_recovery_codes(user, form.cleaned_data["token"])
            elif what == "disable" and disable_form.is_valid():
                two_factor.disable_two_factor(
                    user, password=disable_form.cleaned_data["password"], token=disable_form.cleaned_data["token"]
                )
                messages.success(request, _("Two-factor login is off"))
                return redirect("accounts:security")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            (disable_form if what == "disable" else form).add_error("token", exc)
    return render(request, "accounts/security.html", _context(user, form, disable_form, new_codes))


def _context(user: User, form: TokenForm, disable_form: DisableTwoFactorForm, new_codes: list[str]) -> dict:
    confirmed = two_factor.has_two_factor(user)
    pending = None if confirmed else TOTPDevice.objects.filter(user=user, confirmed=False).first()
    qr_svg = secret = ""
    if pending is not None:
        qr_svg = segno.make(pending.config_url, error="m").svg_inline(scale=4)
        secret = base64.b32encode(pending.bin_key).decode()
    return {
        "confirmed": confirmed,
        "required": requires_two_factor(user),
        "pending": pending,
        "qr_svg": qr_svg,
        "secret": secret,
        "form": form,
        "disable_form": disable_form,
        "new_codes": new_codes,
        "codes_left": StaticToken.objects.filter(device__user=user).count(),
        "masked_phone": mask_phone(user.phone),
    }
