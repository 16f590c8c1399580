from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ResolveForm(forms.Form):
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        has_point = data.get("longitude") is not None and data.get("latitude") is not None
        if not data.get("address") and not has_point:
            raise forms.ValidationError(_("Give an address, or a longitude and a latitude"))
        return data
