"""Log in by password (with lockout and optional TOTP) or by phone code; manage two-factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.core.masking import mask_phone

from . import actions
from .backends import is_locked
from .forms import PasswordLoginForm, PhoneCodeForm, PhoneForm, TokenForm
from .models import User

PENDING_OTP_USER = "linli_pending_otp_user"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return candidate if candidate.startswith("/") and not candidate.startswith("//") else settings.LOGIN_REDIRECT_URL


def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordLoginForm(request.POST or None)
    tab = request.GET.get("tab", "password")
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if is_locked(username):
            form.add_error(
                None,
                _("Too many failed attempts: this account is locked for %(minutes)d minutes")
                % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                if is_locked(username):
                    form.add_error(
                        None,
                        _("Too many failed attempts: this account is locked for %(minutes)d minutes")
                        % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
                    )
                else:
                    form.add_error(None, _("Wrong username or password"))
            elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                request.session[PENDING_OTP_USER] = user.pk
                request.session["linli_next"] = _next_url(request)
                return redirect("accounts:login_otp")
            else:
                login(request, user, backend="linli.accounts.backends.LockoutModelBackend")
                return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "phone_form": PhoneForm(), "tab": tab, "next": request.GET.get("next", "")},
    )


def login_otp_view(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(PENDING_OTP_USER)
    user = User.objects.filter(pk=pk).first() if pk else None
    if user is None:
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(form.cleaned_data["token"]):
            login(request, user, backend="linli.accounts.backends.LockoutModelBackend")
            otp_login(request, device)
            request.session.pop(PENDING_OTP_USER, None)
            return redirect(request.session.pop("linli_next", settings.LOGIN_REDIRECT_URL))
        form.add_error("token", _("The code from your authenticator app is wrong"))
    return render(request, "accounts/login_otp.html", {"form": form})


@require_POST
def phone_send_view(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            phone = actions.send_phone_code(form.cleaned_data["phone"])
        except ValidationError as exc:
            form.add_error("phone", exc)
        else:
            code_form = PhoneCodeForm(initial={"phone": phone})
            return render(
                request,
                "accounts/_phone_code.html",
                {"form": code_form, "masked": mask_phone(phone), "phone": phone},
            )
    return render(request, "accounts/_phone_start.html", {"phone_form": form})


@require_POST
def phone_verify_view(request: HttpRequest) -> HttpResponse:
    form = PhoneCodeForm(request.POST)
    if form.is_valid():
        try:
            verified = actions.verify_phone_code(form.cleaned_data["phone"], form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            user = authenticate(request, phone_verified_user=verified)
            if user is not None:
                login(request, user, backend="linli.accounts.backends.PhoneCodeBackend")
                response = HttpResponse(status=204)
                response["HX-Redirect"] = "/"
                if not request.htmx:  # type: ignore[attr-defined]
                    return redirect("home")
                return response
            form.add_error(None, _("This account is disabled"))
    phone = form.data.get("phone", "")
    return render(request, "accounts/_phone_code.html", {"form": form, "masked": mask_phone(phone), "phone": phone})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        what = request.POST.get("action")
        if what == "start":
            pending = actions.start_totp(user)
        elif what == "disable":
            actions.disable_totp(user)
            messages.success(request, _("Two-factor login is off"))
            return redirect("accounts:security")
        elif what == "confirm" and form.is_valid():
            try:
                actions.confirm_totp(user, form.cleaned_data["token"])
            except ValidationError as exc:
                form.add_error("token", exc)
            else:
                messages.success(request, _("Two-factor login is on"))
                return redirect("accounts:security")
    qr_svg = ""
    if pending is not None:
        import segno

        qr_svg = segno.make(pending.config_url, error="m").svg_inline(scale=4)
    return render(
        request,
        "accounts/security.html",
        {
            "confirmed": confirmed,
            "pending": pending,
            "qr_svg": qr_svg,
            "form": form,
            "masked_phone": mask_phone(user.phone),
        },
    )
