"""The ballot form (one radio group per question) and the staff desk's small forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import OPTIONS
from .models_votes import Question

OPTION_LABELS = {"同意": _("Agree"), "反对": _("Oppose"), "弃权": _("Abstain")}


class BallotForm(forms.Form):
    """One required radio group per question, named q<question id>; `choices()` gives {question id: option}."""

    def __init__(self, questions: list[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            field = forms.ChoiceField(
                label=f"{question.position}. {question.text}",
                choices=[(option, OPTION_LABELS.get(option, option)) for option in OPTIONS],
                widget=forms.RadioSelect(attrs={"class": "ballot-option"}),
                help_text=question.get_kind_display(),
            )
            field.question = question  # type: ignore[attr-defined]
            self.fields[f"q{question.pk}"] = field

    def choices(self) -> dict[str, str]:
        return {str(q.pk): self.cleaned_data[f"q{q.pk}"] for q in self.questions}

    def chosen(self) -> list[tuple[Question, str]]:
        return [(q, str(OPTION_LABELS.get(self.cleaned_data[f"q{q.pk}"], ""))) for q in self.questions]


class PaperForm(BallotForm):
    def __init__(self, questions: list[Question], *args: Any, **kwargs: Any) -> None:
        super().__init__(questions, *args, **kwargs)
        self.fields["sheet"] = forms.CharField(label=_("Sheet number"), max_length=32, required=False)


class RollSearchForm(forms.Form):
    q = forms.CharField(label=_("Part or name"), max_length=40, required=False)
    not_voted = forms.BooleanField(label=_("Only those who have not voted"), required=False)


class CasterForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Who casts the co-owners' ballot"), coerce=int, required=False)

    def __init__(self, owners: list[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Any of the co-owners")), *owners]  # type: ignore[attr-defined]


class ProxyForm(forms.Form):
    name = forms.CharField(label=_("Proxy's name"), max_length=64)
    phone = forms.CharField(
        label=_("Proxy's mobile (if registered here: they may then vote online)"), max_length=20, required=False
    )
    document = forms.FileField(label=_("Written authorisation (PDF, JPEG or PNG)"))


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=_("Your receipt"), max_length=24)

    def clean_receipt(self) -> str:
        raw = "".join(ch for ch in self.cleaned_data["receipt"].upper() if ch.isalnum())
        return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
