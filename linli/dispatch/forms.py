from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.orgs.choices import MatterClass
from linli.orgs.models import Matter, Unit

from .choices import Channel


class TryForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.WEB)


class CorrectionForm(forms.Form):
    category = forms.ChoiceField(label=_("Class"), choices=[("", "—"), *MatterClass.choices], required=False)
    matter: forms.ModelChoiceField[Matter] = forms.ModelChoiceField(
        label=_("Matter"), queryset=Matter.objects.none(), required=False
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Why"), required=False, max_length=300)

    def __init__(self, *args: object, matters: object, units: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["matter"].queryset = matters  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("matter") and not data.get("category"):
            raise forms.ValidationError(_("Name the matter, or at least its class"))
        return data
