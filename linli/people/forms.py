"""Forms of the registry pages. They check shape only (a choice among those offered, a length, a date); a
person's fields are checked by linli.people.validation through the actions, whose refusals come back to the
same form under the field they name, in the user's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import (
    ETHNICITIES,
    CareTagKind,
    ConsentChannel,
    ConsentPurpose,
    Gender,
    HouseholdKind,
    HouseUse,
    IdType,
    Relation,
    Residency,
    TagSource,
)
from .presenting import masked

STATUS_CHOICES = [("current", _("Living here now")), ("left", _("Left")), ("all", _("Everyone"))]


def _date(label: Any, *, required: bool = False) -> forms.DateField:
    # A date input reads and writes ISO dates whatever the page's language formats dates as.
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, required=required, widget=widget)


def _text(label: Any, limit: int, *, required: bool = False, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=limit, required=required, widget=forms.TextInput(attrs=attrs or None)
    )


def _choice(label: Any, choices: Any, *, required: bool = True, blank: Any = "—") -> forms.ChoiceField:
    listed = list(choices) if required else [("", blank), *choices]
    return forms.ChoiceField(label=label, choices=listed, required=required)


class SearchForm(forms.Form):
    q = _text(
        _("Name, phone, identity number or house"),
        80,
        placeholder="3号楼2单元301",
        type="search",
        autofocus="autofocus",
    )
    tag = _choice(_("Care tag"), CareTagKind.choices, required=False, blank=_("Any"))
    residency = _choice(_("Residency type"), Residency.choices, required=False, blank=_("Any"))
    # No blank choice: an empty value means the first, people living here now.
    status = forms.ChoiceField(label=_("Living here"), choices=STATUS_CHOICES, required=False)


class PersonFields(forms.Form):
    """A person's own fields; the identity number and phone are never shown back in a form."""

    name = _text(_("Full name"), 64)
    id_type = _choice(_("Identity document"), IdType.choices)
    id_number = _text(_("Identity number"), 32, autocomplete="off")
    gender = _choice(_("Gender"), Gender.choices, required=False)
    birth_date = _date(_("Birth date"))
    phone = _text(_("Phone number"), 20, type="tel", autocomplete="off")
    ethnicity = _choice(_("Ethnicity"), [(e, e) for e in ETHNICITIES], required=False)
    residency = _choice(_("Residency type"), Residency.choices, required=False)
    arrived_on = _date(_("Arrived on"))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    marked_sensitive = forms.BooleanField(
        label=_("Sensitive record (masked more strictly, revealed only with a reason)"), required=False
    )


class RegisterForm(PersonFields):
    place = _text(_("House (code, or building, unit and room)"), 80, required=True, placeholder="3号楼2单元301")
    household = _text(_("Join household (number, optional)"), 32)
    relation = _choice(_("Relation to the head"), Relation.choices, required=False)

    field_order = ["place", "household", "relation"]


class EditForm(PersonFields):
    clear_phone = forms.BooleanField(label=_("Remove the phone number"), required=False)

    def __init__(self, data: Any = None, *, person: Any, **kwargs: Any) -> None:
        initial = {
            "id_type": person.id_type,
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "residency": person.residency,
            "arrived_on": person.arrived_on,
            "note": person.note,
            "marked_sensitive": person.marked_sensitive,
        }
        # A field shown masked on the card is not filled in here either: an edit form is no way round a
        # logged reveal. Empty means "keep".
        for field in ("name", "birth_date"):
            value = getattr(person, field)
            if value is not None and masked(person, field) == (value.isoformat() if field == "birth_date" else value):
                initial[field] = value
        super().__init__(data, initial=initial, **kwargs)
        keep = _("Leave empty to keep: %(shown)s")
        for field in ("name", "id_number", "phone", "birth_date"):
            if field not in initial:
                self.fields[field].help_text = keep % {"shown": masked(person, field) or "—"}


class MoveForm(forms.Form):
    to = _text(_("Moves to (house code, or building, unit and room)"), 80, required=True, placeholder="3号楼2单元301")
    household = _text(_("Household there (number, optional)"), 32)
    relation = _choice(_("Relation to the head"), Relation.choices, required=False)
    on = _date(_("Moved on (empty: today)"))


class LeftForm(forms.Form):
    on = _date(_("Left on"))
    reason = _text(_("Reason (moved away, died …)"), 200)


class DateForm(forms.Form):
    on = _date(_("On (empty: today)"))


class TagForm(forms.Form):
    tag = _choice(_("Care tag"), CareTagKind.choices)
    source = _choice(_("Source"), TagSource.choices)
    source_note = _text(_("Source detail"), 200)
    valid_from = _date(_("Valid from (empty: today)"))
    valid_to = _date(_("Valid to"))


class ConsentForm(forms.Form):
    purpose = _choice(_("Purpose"), ConsentPurpose.choices)
    channel = _choice(_("How given"), ConsentChannel.choices)
    given_on = _date(_("Given on (empty: today)"))


class PartyForm(forms.Form):
    organisation = _text(_("Party organisation"), 128, required=True)
    joined_party_on = _date(_("Joined the party on"))
    reported_on = _date(_("Reported to this community on (双报到)"))


class HouseholdForm(forms.Form):
    number = _text(_("Household number"), 32)
    kind = _choice(_("Kind"), HouseholdKind.choices)
    formed_on = _date(_("Formed on"))


class HouseForm(forms.Form):
    area = forms.DecimalField(label=_("Floor area (m²)"), required=False, max_digits=8, decimal_places=2, min_value=1)
    use = _choice(_("Use"), HouseUse.choices)


class OwnerForm(forms.Form):
    owner = _text(_("Owner: phone, identity number or name of a registered person"), 64)
    organisation = _text(_("Or an owning organisation"), 128)
    share = forms.DecimalField(
        label=_("Share (0–1)"), required=False, max_digits=5, decimal_places=4, min_value=0, max_value=1
    )
    area = forms.DecimalField(label=_("Exclusive area (m²)"), required=False, max_digits=8, decimal_places=2)
    certificate = _text(_("Title certificate number"), 64)
    since = _date(_("Since"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("owner")) == bool(data.get("organisation")):
            raise forms.ValidationError(_("Name either a registered person or an organisation"))
        return data


class TenantForm(forms.Form):
    tenant = _text(_("Tenant: phone, identity number or name of a registered person"), 64, required=True)
    since = _date(_("Since"))


class MemberForm(forms.Form):
    person = _text(_("Person: phone, identity number or name of a registered person"), 64, required=True)
    relation = _choice(_("Relation to the head"), Relation.choices)
    on = _date(_("Joined on (empty: today)"))


class RevealForm(forms.Form):
    reason = _text(_("Why you need it in full"), 200)
