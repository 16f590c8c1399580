from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.orgs.models import Unit
from linli.places.models import Place

from .choices import Role
from .models import User
from .predicates import ADMIN_GRANTED_ROLES
from .scopes import is_platform_admin


class GrantForm(forms.Form):
    """Give a role over a place or a unit; the action decides whether the actor may (predicates.can_grant)."""

    user = forms.ModelChoiceField(label=_("User"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"))
    place = forms.CharField(label=_("Place code"), required=False, max_length=32)
    unit = forms.CharField(label=_("Unit code"), required=False, max_length=32)
    valid_to = forms.DateTimeField(
        label=_("Valid until"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["user"].queryset = User.objects.restrict(actor, "change").order_by("username")  # type: ignore[attr-defined]
        admin = is_platform_admin(actor)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if admin or v not in ADMIN_GRANTED_ROLES]  # type: ignore[attr-defined]

    def clean_place(self) -> Place | None:
        code = self.cleaned_data["place"].strip()
        if not code:
            return None
        place = Place.objects.restrict(self.actor, "pick").filter(code=code).first()
        if place is None:
            raise forms.ValidationError(_("No place has this code"))
        return place

    def clean_unit(self) -> Unit | None:
        code = self.cleaned_data["unit"].strip()
        if not code:
            return None
        unit = Unit.objects.restrict(self.actor).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("No unit in your scope has this code"))
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("place") and data.get("unit"):
            raise forms.ValidationError(_("A grant names a place or a unit, not both"))
        return data
