"""Forms of the reverse assessment's pages; each only shapes input for an action, which checks everything."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.cases.choices import Rating

from .models_reverse import ExchangeKind, RaterKind, ReverseSurvey
from .reports import parse_month
from .reverse import SCORE_MAX, SCORE_MIN

QUESTION_ROWS = 8
# The usual questions of a reverse survey (反向考核) and their weights; district command edits them.
DEFAULT_QUESTIONS = (
    (_("Responds in time"), "30"),
    (_("Coordinates effectively"), "30"),
    (_("Guides the work"), "20"),
    (_("Attitude and conduct"), "20"),
)
MONTHS_CHOICES = ((1, _("A month")), (3, _("A quarter")), (6, _("Half a year")), (12, _("A year")))


class RateForm(forms.Form):
    case = forms.IntegerField(min_value=1)
    unit = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=ExchangeKind.choices)
    score = forms.ChoiceField(choices=Rating.choices)
    comment = forms.CharField(required=False, max_length=500)


class MonthField(forms.CharField):
    """ "YYYY-MM" (an <input type=month>) → the month's first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        month = parse_month(text)
        if month is None:
            raise ValidationError(_("Give a month as YYYY-MM"))
        return month


class OpenSurveyForm(forms.Form):
    district = forms.ChoiceField(label=_("District"))
    period = MonthField(label=_("Period starts (month)"))
    months = forms.TypedChoiceField(label=_("Period"), choices=MONTHS_CHOICES, coerce=int, initial=1)
    rater_kind = forms.ChoiceField(label=_("Who rates whom"), choices=RaterKind.choices)
    closes_on = forms.DateField(
        label=_("Answers accepted until (empty: 10 days after the period)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, districts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        district = self.fields["district"]
        assert isinstance(district, forms.ChoiceField)
        district.choices = districts
        for n in range(QUESTION_ROWS):
            text, weight = DEFAULT_QUESTIONS[n] if n < len(DEFAULT_QUESTIONS) else ("", "")
            self.fields[f"text_{n}"] = forms.CharField(
                label=_("Question %(n)d") % {"n": n + 1}, required=False, max_length=60, initial=text
            )
            self.fields[f"weight_{n}"] = forms.CharField(
                label=_("Weight"),
                required=False,
                max_length=8,
                initial=weight,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
            )

    def setting_fields(self) -> list[Any]:
        return [self[name] for name in ("district", "period", "months", "rater_kind", "closes_on")]

    def question_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"text_{n}"], self[f"weight_{n}"]) for n in range(QUESTION_ROWS)]

    def typed_questions(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data.get(f"text_{n}") or "", data.get(f"weight_{n}") or "") for n in range(QUESTION_ROWS)]


class AnswerForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )

    def __init__(self, *args: Any, survey: ReverseSurvey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(n), str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)]
        for q in survey.questions:
            self.fields[q["key"]] = forms.ChoiceField(
                label=q["text"], choices=choices, widget=forms.RadioSelect(attrs={"class": "score-choice"})
            )
        self.order_fields([q["key"] for q in survey.questions] + ["comment"])

    def question_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name != "comment"]

    def take_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)
