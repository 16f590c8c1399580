"""Forms of the deliberation pages: shape only (a choice among those offered, a length); the actions check
the rest and their refusals come back under the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DecisionOutcome, MeetingKind, TopicState
from .documents import TYPES


def _area(label: Any, limit: int, *, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=limit, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *TopicState.choices])
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Place"), required=False, queryset=None, empty_label=_("All places")
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class TopicForm(forms.Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Where"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    body = _area(_("What it is about"), 5000, rows=6)
    name_masked = forms.BooleanField(label=_("Show my name masked (张**)"), required=False, initial=True)

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = _area(_("Your comment"), 2000, rows=3)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name_masked = forms.BooleanField(label=_("Show my name masked (张**)"), required=False, initial=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RejectForm(forms.Form):
    reason = _area(_("Why it is not taken up"), 2000, rows=3)


class ProposalForm(forms.Form):
    proposal = _area(_("Proposal"), 5000, rows=6)


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    decision = _area(_("Decision"), 5000)
    minutes = _area(_("Minutes of the committee's decision"), 5000)
    meeting: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Taken at the meeting"), queryset=None, required=False
    )

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]


class VoteForm(forms.Form):
    vote: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Owners' vote"), queryset=None)

    def __init__(self, *args: Any, votes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vote"].queryset = votes  # type: ignore[attr-defined]


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    text = _area(_("What is to be done"), 5000)
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Where"), queryset=None)

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    location = forms.CharField(label=_("Location or meeting link"), max_length=200, required=False)
    invitees = _area(
        _("Invitees, one a line: name, capacity (居民代表, 物业, 业委会, 驻区单位 …)"), 8000, required=False, rows=5
    )

    def invitee_rows(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("invitees") or "").splitlines():
            if not line.strip():
                continue
            name, _sep, capacity = line.replace("，", ",").partition(",")
            rows.append({"name": name.strip(), "capacity": capacity.strip()})
        return rows


class MinutesForm(forms.Form):
    minutes = _area(_("Minutes"), 20000, required=False, rows=8)
    document = forms.FileField(
        label=_("Signed minutes (PDF, JPEG, PNG or Word)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted({*TYPES, *TYPES.values()}))}),
    )
