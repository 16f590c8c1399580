"""Forms of the volunteers' pages. They only shape input; the actions check and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linli.places.choices import PlaceLevel
from linli.places.models import Place
from linli.places.queries import places_for

from .choices import SLOTS, WEEKDAYS, CertificateKind, Language, Period, PostKind, ServiceRole
from .models import Skill

SLOT_CHOICES = [(slot, f"{WEEKDAYS[int(slot[0])]} {Period(slot[1:]).label}") for slot in SLOTS]
PLACE_CHOICES = 500


class ProfileForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Service roles"), choices=ServiceRole.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"), queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are free"), choices=SLOT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SignupForm(ProfileForm):
    """A resident's own sign-up: name and community are asked only when no registry record matched."""

    name = forms.CharField(label=_("Your name"), max_length=64, required=False)
    community = forms.ModelChoiceField(
        label=_("Your community"),
        queryset=Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True),
        required=False,
    )

    field_order = ["name", "community"]


def _community_choices(user: Any) -> Any:
    return places_for(user, "change").filter(level=PlaceLevel.COMMUNITY, is_active=True).order_by("code")


def _place_choices(user: Any) -> Any:
    levels = (PlaceLevel.COMMUNITY, PlaceLevel.GRID, PlaceLevel.ESTATE, PlaceLevel.BUILDING)
    ids = (
        places_for(user, "change")
        .filter(level__in=levels, is_active=True)
        .order_by("path")
        .values("pk")[:PLACE_CHOICES]
    )
    return Place.objects.filter(pk__in=ids).order_by("path")


class _Publish(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=Place.objects.none())
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    title = forms.CharField(label=_("Title"), max_length=120)
    needed = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=500, initial=1)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills wanted"), queryset=Skill.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    certificates = forms.MultipleChoiceField(
        label=_("Certificates required"),
        choices=CertificateKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    auto_confirm = forms.BooleanField(label=_("Confirm sign-ups while places remain"), required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _community_choices(user)  # type: ignore[attr-defined]
        self.fields["place"].queryset = _place_choices(user)  # type: ignore[attr-defined]


class ActivityForm(_Publish):
    description = forms.CharField(label=_("Description"), max_length=4000, required=False, widget=forms.Textarea)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class PostForm(_Publish):
    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices)
    duties = forms.CharField(label=_("Duties"), max_length=2000, required=False, widget=forms.Textarea)
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"), choices=[(str(i), d) for i, d in enumerate(WEEKDAYS)], widget=forms.CheckboxSelectMultiple
    )
    start = forms.TimeField(label=_("Shift starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Shift ends"), widget=forms.TimeInput(attrs={"type": "time"}))

    def pattern(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"weekday": int(d), "start": data["start"].strftime("%H:%M"), "end": data["end"].strftime("%H:%M")}
            for d in data["weekdays"]
        ]


class CertificateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("Certificate number"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    scan = forms.FileField(label=_("Scan (optional)"), required=False)


class AttendanceForm(forms.Form):
    minutes = forms.IntegerField(
        label=pgettext_lazy("duration", "Minutes"), min_value=1, max_value=24 * 60, required=False
    )
    reason = forms.CharField(label=_("Why the minutes differ"), max_length=200, required=False)


class RegistryFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Service role"), choices=[("", _("Any")), *ServiceRole.choices], required=False)
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all(), required=False, empty_label=_("Any"))
    party = forms.BooleanField(label=_("Party members"), required=False)
    expiring = forms.BooleanField(label=_("Certificate expiring within 30 days"), required=False)


class RegisterForm(ProfileForm):
    person = forms.IntegerField(label=_("Registry person number"), min_value=1)


class ConfirmApplicantForm(forms.Form):
    person = forms.IntegerField(label=_("Registry person number (if already registered)"), min_value=1, required=False)
    place = forms.ModelChoiceField(
        label=_("Lives at (to register the person)"), queryset=Place.objects.none(), required=False
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = _place_choices(user)  # type: ignore[attr-defined]


class PartyForm(forms.Form):
    organisation = forms.CharField(label=_("Party organisation"), max_length=128)
    joined_party_on = forms.DateField(
        label=_("Joined the party on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reported_on = forms.DateField(
        label=_("Reported to the community on (双报到)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
