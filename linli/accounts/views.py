"""Log in by password (throttled by django-axes, then the second factor where there is one) or by phone
code (residents and volunteers only)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from linli.core.masking import mask_phone

from . import phone_codes
from .forms import PasswordLoginForm, PhoneCodeForm, PhoneForm, TokenForm
from .models import User
from .predicates import requires_two_factor
from .throttle import client_ip, lockout_message
from .two_factor import has_two_factor, verify_second_factor

logger = logging.getLogger(__name__)

PENDING_OTP_USER = "linli_pending_otp_user"
PENDING_OTP_SINCE = "linli_pending_otp_since"
PENDING_OTP_SECONDS = 300
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    return candidate if candidate.startswith("/") and not candidate.startswith("//") else settings.LOGIN_REDIRECT_URL


def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordLoginForm(request.POST or None)
    tab = request.GET.get("tab", "password")
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            locked = getattr(request, "axes_locked_out", False)
            form.add_error(None, lockout_message() if locked else _("Wrong username or password"))
        elif has_two_factor(user):
            # The password is right; the session is logged in only after the second factor.
            request.session[PENDING_OTP_USER] = user.pk
            request.session[PENDING_OTP_SINCE] = time.time()
            request.session["linli_next"] = _next_url(request)
            return redirect("accounts:login_otp")
        else:
            login(request, user, backend=MODEL_BACKEND)
            if requires_two_factor(user):
                messages.warning(request, _("Your role requires two-factor login: set it up to continue."))
                return redirect("accounts:security")
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "phone_form": PhoneForm(), "tab": tab, "next": request.GET.get("next", "")},
    )


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING_OTP_USER)
    since = request.session.get(PENDING_OTP_SINCE, 0)
    if not pk or time.time() - since > PENDING_OTP_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def login_otp_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_second_factor(user, form.cleaned_data["token"])
        if device is not None:
            next_url = request.session.pop("linli_next", settings.LOGIN_REDIRECT_URL)
            request.session.pop(PENDING_OTP_USER, None)
            request.session.pop(PENDING_OTP_SINCE, None)
            login(request, user, backend=MODEL_BACKEND)
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You logged in with a recovery code; %(left)d left. Make new ones on the security page.")
                    % {"left": left},
                )
            return redirect(next_url)
        form.add_error("token", _("The code is wrong, or was already used. Wait for the next code and try again."))
    return render(request, "accounts/login_otp.html", {"form": form})


@require_POST
def phone_send_view(request: HttpRequest) -> HttpResponse:
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            phone = phone_codes.send_phone_code(form.cleaned_data["phone"], client_ip=client_ip(request))
        except ValidationError as exc:
            form.add_error("phone", exc)
        except ImproperlyConfigured:
            logger.error("phone code refused: the SMS backend is not allowed in production")
            form.add_error("phone", _("Text messages are not set up on this server: log in with your password"))
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
            verified = phone_codes.verify_phone_code(form.cleaned_data["phone"], form.cleaned_data["code"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("code", str(exc) if isinstance(exc, PermissionDenied) else exc)
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
