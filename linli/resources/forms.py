"""Forms of the library's pages. They parse and offer choices; the actions validate and decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import User
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .choices import WEEKDAYS, Offer, ResourceKind
from .models import Resource


def _place_label(place: Place) -> str:
    return ("· " if place.level == PlaceLevel.COMMUNITY else "") + place.name


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Text"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ResourceKind.choices])
    skill = forms.CharField(label=_("Tag, skill or field"), required=False, max_length=32)
    place = forms.ModelChoiceField(label=_("Near"), required=False, queryset=Place.objects.none())
    stale = forms.BooleanField(label=_("Only stale entries"), required=False)
    mine = forms.BooleanField(label=_("Only entries I keep"), required=False)

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            field = self.fields["place"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = places
            field.label_from_instance = _place_label  # type: ignore[method-assign,assignment]


class ResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    opening_days = forms.MultipleChoiceField(
        label=_("Open on"), required=False, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    availability_days = forms.MultipleChoiceField(
        label=_("Available on"), required=False, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    offers = forms.MultipleChoiceField(
        label=_("Offers"), required=False, choices=Offer.choices, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(label=_("Tags, skills or fields"), required=False, max_length=500)

    class Meta:
        model = Resource
        fields = [
            "kind",
            "name",
            "description",
            "place",
            "serves",
            "tags",
            "steward",
            "contact_name",
            "contact_phone",
            "contact_user",
            "capacity",
            "opening_days",
            "opens_at",
            "closes_at",
            "facilities",
            "quantity",
            "condition",
            "amount",
            "purpose",
            "source",
            "offers",
            "registration_number",
            "availability_days",
            "availability_notes",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.TimeInput(attrs={"type": "time"}),
            "closes_at": forms.TimeInput(attrs={"type": "time"}),
            "serves": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args: Any, places: Any, users: Any, serve_places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["serves"].queryset = serve_places  # type: ignore[attr-defined]
        self.fields["steward"].queryset = users  # type: ignore[attr-defined]
        self.fields["contact_user"].queryset = users  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["kind"].disabled = True
            self.initial["tags"] = "，".join(self.instance.tag_list)
            self.initial["offers"] = self.instance.offer_list
            self.initial["opening_days"] = list(self.instance.opening_days)
            self.initial["availability_days"] = list(self.instance.availability_days)

    def action_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("kind", None)
        return data


def users_for_picking(user: Any) -> Any:
    return User.objects.restrict(user, "view").filter(is_active=True).order_by("display_name", "username")


class BookingForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}))
    purpose = forms.CharField(label=_("Purpose"), max_length=200)

    def span(self) -> tuple[datetime.datetime, datetime.datetime]:
        day = self.cleaned_data["day"]
        start = timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["start"]))
        end = timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["end"]))
        return start, end
