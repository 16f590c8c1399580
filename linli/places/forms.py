from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import PlaceLevel


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


class AddPlaceForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"))
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=128)
    area = forms.DecimalField(
        label=_("Floor area (m²)"), required=False, max_digits=8, decimal_places=2, min_value=Decimal("1")
    )
    use = forms.ChoiceField(label=_("Use"), required=False)

    def __init__(self, *args: Any, levels: list[str], **kwargs: Any) -> None:
        from linli.people.choices import HouseUse

        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(v, PlaceLevel(v).label) for v in levels]  # type: ignore[attr-defined]
        self.fields["use"].choices = [("", "—"), *HouseUse.choices]  # type: ignore[attr-defined]


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=128)


class MoveForm(forms.Form):
    parent_code = forms.CharField(label=_("Code of the new parent"), max_length=32)


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Why it is retired"), max_length=200)
