from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import Grant


class TokenIssueForm(forms.Form):
    """A token for one of the user's own grants in force: the token can never reach more than that grant."""

    grant = forms.ModelChoiceField(queryset=Grant.objects.none(), label=_("Acts within the grant"))
    name = forms.CharField(
        max_length=100,
        label=_("Client"),
        help_text=_("Which program uses it, e.g. 区12345热线对接"),
    )
    days = forms.IntegerField(min_value=1, label=_("Valid for (days)"), initial=90)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grants = Grant.objects.active().filter(user_id=user.pk).select_related("user", "place", "unit")
        self.fields["grant"].queryset = grants  # type: ignore[attr-defined]
        # The bound is a setting, so it is read per form rather than fixed when the module loads.
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
