"""Forms of the Excel pages: the upload, the column mapping, the export filters. Shape only; the rules are
linli.people.imports' and linli.people.exports'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .choices import CareTagKind, ImportKind, Residency
from .imports_format import COLUMNS

NOT_IN_FILE = ("", _("— not in the file —"))
FILTER_LEVELS = (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID)
FILTER_PLACES = 1000


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices, initial=ImportKind.PERSONS)
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))


class MappingForm(forms.Form):
    """One select per field of ours, offering the file's columns, the guess preselected."""

    def __init__(self, *args: Any, kind: str, headers: list[str], initial_fields: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [NOT_IN_FILE, *((h, h) for h in dict.fromkeys(headers) if h)]
        for column in COLUMNS[ImportKind(kind)]:
            self.fields[column.field] = forms.ChoiceField(
                label=column.header,
                choices=choices,
                required=column.required,
                initial=initial_fields.get(column.field, ""),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used: dict[str, str] = {}
        for name, column in list(cleaned.items()):
            if column and column in used:
                self.add_error(name, _("This column is already used for another field"))
            used.setdefault(column, name)
        return cleaned


def place_choices(user: Any) -> list[tuple[str, Any]]:
    places = (
        Place.objects.restrict(user, "export")
        .filter(level__in=FILTER_LEVELS, is_active=True)
        .order_by("path")
        .values_list("pk", "name", "depth")[:FILTER_PLACES]
    )
    return [("", _("All my places")), *((str(pk), "\u3000" * max(depth - 2, 0) + name) for pk, name, depth in places)]


class ExportForm(forms.Form):
    place = forms.CharField(label=_("Place"), required=False, max_length=20)
    tag = forms.ChoiceField(label=_("Care tag"), required=False, choices=[("", _("Any")), *CareTagKind.choices])
    residency = forms.ChoiceField(
        label=_("Residency type"), required=False, choices=[("", _("Any")), *Residency.choices]
    )
    unmasked = forms.BooleanField(label=_("Identity numbers and phones in full (logged)"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False, choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")])

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget = forms.Select(choices=place_choices(user))
