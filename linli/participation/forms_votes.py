"""The vote forms: a draft's texts, window and questions, entered as a few rows of text with a kind each
(empty rows are ignored), which a community worker fills in without adding rows by script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .choices import QuestionKind

QUESTION_ROWS = 6
PLACE_CHOICES = 500


class FirstPlaces(ModelChoiceIterator):
    # A district's command may reach thousands of buildings: the select lists the first ones by the tree's
    # order, while validation still accepts any estate or building in scope.
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for place in self.queryset[:PLACE_CHOICES]:
            yield self.choice(place)


class PlaceField(forms.ModelChoiceField):
    iterator = FirstPlaces


class VoteForm(forms.Form):
    place = PlaceField(queryset=None, label=_("Estate or building"))  # type: ignore[arg-type]
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=10000, widget=forms.Textarea)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        for row in range(1, QUESTION_ROWS + 1):
            self.fields[f"question_{row}"] = forms.CharField(
                label=_("Question %(n)s") % {"n": row}, required=False, max_length=2000
            )
            self.fields[f"kind_{row}"] = forms.ChoiceField(
                label=_("Kind"), choices=QuestionKind.choices, initial=QuestionKind.ORDINARY
            )

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("place", "title", "description", "opens_at", "closes_at")]

    def question_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"question_{row}"], self[f"kind_{row}"]) for row in range(1, QUESTION_ROWS + 1)]

    def questions(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        rows = [(data.get(f"question_{r}", ""), data.get(f"kind_{r}", "")) for r in range(1, QUESTION_ROWS + 1)]
        return [(text.strip(), kind) for text, kind in rows if text and text.strip()]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the vote cancelled?"), max_length=500)
