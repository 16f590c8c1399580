from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.orgs.models import Matter

from .models import ServiceKind
from .queries import providers, served_places


class KindForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=64)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    matters = forms.ModelMultipleChoiceField(
        label=_("Matters it answers"), queryset=Matter.objects.none(), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from linli.accounts.scopes import restrict

        field = self.fields["matters"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = restrict(Matter.objects.filter(is_active=True), user).order_by("code")


class OfferForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Provider"), queryset=providers())
    kind = forms.ModelChoiceField(label=_("Service"), queryset=ServiceKind.objects.filter(is_active=True))
    places = forms.ModelMultipleChoiceField(label=_("Places served"), queryset=ServiceKind.objects.none())
    price = forms.CharField(label=_("Price"), max_length=200, required=False)
    accepting = forms.BooleanField(label=_("Accepting requests"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["places"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = served_places(user)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = providers()
