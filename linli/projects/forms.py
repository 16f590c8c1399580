from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.places.models import Place

from .choices import PROJECT_LEVELS


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)
    need = forms.CharField(label=_("Need"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    resources = forms.CharField(
        label=_("Resources needed (one a line)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = Place.objects.restrict(user, "change").filter(level__in=PROJECT_LEVELS).order_by("path")
        self.fields["place"].queryset = places  # type: ignore[attr-defined]

    def resource_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("resources", "").splitlines() if line.strip()]
