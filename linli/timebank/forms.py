from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.core.validation import check_plain_text


def plain(value: str) -> None:
    check_plain_text(value)


class ExchangeForm(forms.Form):
    side = forms.ChoiceField(
        label=_("Who helped whom"),
        choices=[("giver", _("I helped them")), ("receiver", _("They helped me"))],
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(label=_("Their mobile number"), max_length=20)
    minutes = forms.IntegerField(label=pgettext_lazy("duration", "Minutes"), min_value=1, max_value=8 * 60)
    memo = forms.CharField(label=_("What was done"), max_length=200, validators=[plain])


class AwardForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=10_000)
    memo = forms.CharField(label=_("Why"), max_length=200, validators=[plain])


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    price = forms.IntegerField(label=_("Price (points)"), min_value=1, max_value=100_000)
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=100_000)
    active = forms.BooleanField(label=_("On the shelf"), required=False, initial=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, validators=[plain])
