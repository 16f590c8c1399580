from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Matter


class ResponsibilityForm(forms.Form):
    matter = forms.ModelChoiceField(
        label=_("Matter"), queryset=Matter.objects.none(), required=False, empty_label=_("— not on the list —")
    )
    place_code = forms.CharField(label=_("Place code"), required=False, max_length=32)
    address = forms.CharField(label=_("or address"), required=False, max_length=300)

    def __init__(self, *args: object, matters: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if matters is not None:
            self.fields["matter"].queryset = matters  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("place_code") and not data.get("address"):
            raise forms.ValidationError(_("Give a place code or an address"))
        return data
