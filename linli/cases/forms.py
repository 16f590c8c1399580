"""Forms of the case pages: the search filters, the board's filters, and one small form per action.

Forms check shape only (a choice among those offered, a length); the rules — who may, in which state, where
work may go — are the actions' own, and their refusals come back to the same form as its errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from linli.orgs.models import Matter, Unit
from linli.places.models import Place

from .choices import ApprovalKind, CaseState, InvalidReason, Rating, ReturnReason

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one <input multiple>; their checks are linli.core.photos', run by the action."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _text(label: Any, *, limit: int = 2000, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=limit, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def _units(label: Any, queryset: Any, *, required: bool = True) -> forms.ModelChoiceField[Unit]:
    return forms.ModelChoiceField(label=label, queryset=queryset, required=required)


# --------------------------------------------------------------------------------------------------
# Lists


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Text or number"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", "—"), *CaseState.choices])
    matter: forms.ModelChoiceField[Matter] = forms.ModelChoiceField(
        label=_("Matter"), queryset=Matter.objects.none(), required=False, empty_label="—"
    )
    place: forms.ModelChoiceField[Place] = forms.ModelChoiceField(
        label=_("Place (and everything under it)"), queryset=Place.objects.none(), required=False
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False, empty_label="—"
    )
    since = forms.DateField(label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, matters: Any, places: Any, place_choices: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = matters  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        place = self.fields["place"]
        place.queryset = places  # type: ignore[attr-defined]
        # Any place in scope is accepted (a link may name a grid); the picker offers streets and communities.
        place.widget.choices = [("", "—"), *((p.pk, p.name) for p in place_choices)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start date is after the end date"))
        return data


class BoardForm(forms.Form):
    place: forms.ModelChoiceField[Place] = forms.ModelChoiceField(
        label=_("Street or community"), queryset=Place.objects.none(), required=False, empty_label="—"
    )
    matter: forms.ModelChoiceField[Matter] = forms.ModelChoiceField(
        label=_("Matter"), queryset=Matter.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args: Any, places: Any, matters: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["matter"].queryset = matters  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------
# Actions on a case


class EmptyForm(forms.Form):
    """Accept and resume: a button, nothing to fill in."""


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    matter = forms.ModelChoiceField(label=_("Matter"), queryset=Matter.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, units: Any, matters: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]
        self.fields["matter"].queryset = matters  # type: ignore[attr-defined]


class CoUnitsForm(forms.Form):
    co_units = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["co_units"].queryset = units  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = _text(_("Progress"))
    public = forms.BooleanField(label=_("Show to the resident"), required=False)


class ContactForm(forms.Form):
    note = _text(_("How the resident was reached, and what was agreed"), limit=1000)


class ResolveForm(forms.Form):
    answer = _text(_("Answer to the resident"), limit=3000, rows=4)
    photos = PhotosField(label=_("Evidence photos (up to %(n)d)") % {"n": settings.PHOTO_MAX_COUNT})


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ReturnReason.choices)
    explanation = _text(_("Explanation"))
    suggested_unit = forms.ModelChoiceField(
        label=_("Unit that should take it"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].queryset = units  # type: ignore[attr-defined]


class ReviewReturnForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: send it to another unit")), ("reject", _("Reject: the unit keeps it"))],
        widget=forms.RadioSelect,
    )
    unit = forms.ModelChoiceField(
        label=_("Unit that takes it (when upheld)"), queryset=Unit.objects.none(), required=False
    )
    note = _text(_("Note (required when rejected)"), limit=1000, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class ApprovalRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ask for"), choices=ApprovalKind.choices, widget=forms.RadioSelect)
    working_days = forms.IntegerField(label=_("Working days (extension)"), required=False, min_value=1, max_value=30)
    reason = _text(_("Reason"))


class DecideApprovalForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    note = _text(_("Note (required when refused)"), limit=1000, required=False)


class WhistleForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units to summon"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    note = _text(_("What is needed on site"))

    def __init__(self, *args: Any, units: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units  # type: ignore[attr-defined]


class ReportWhistleForm(forms.Form):
    note = _text(_("Who came, and what was done"), limit=1000, required=False)


class EscalateForm(forms.Form):
    why = _text(_("Why the level above must take it"), limit=1000)


class MergeForm(forms.Form):
    primary = forms.CharField(label=_("Case number to merge into"), max_length=30)


class InvalidForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=InvalidReason.choices)
    explanation = _text(_("Explanation (the resident is told)"), limit=1000)


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        label=_("On site"),
        choices=[("passed", _("Handled as answered")), ("failed", _("Not handled: back to the unit"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("What was found"), limit=1000)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect)
    resolved = forms.ChoiceField(label=_("Was the problem solved?"), choices=YES_NO, widget=forms.RadioSelect)
    comment = _text(_("Comment (optional)"), limit=500, required=False)
