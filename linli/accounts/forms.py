from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.validation import normalize_mobile


class PasswordLoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])


class PhoneCodeForm(PhoneForm):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class TokenForm(forms.Form):
    # Six digits from the app, or an eight-character recovery code at the login step.
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class DisableTwoFactorForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
