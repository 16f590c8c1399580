"""The period picker shared by every assessment page, and the scheme form (its rules are the action's)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.orgs.choices import MatterClass

PERIOD_CHOICES = [
    ("day", _("Day")),
    ("week", _("Week")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
    ("custom", _("From – to")),
]
DEFAULT_KIND = "month"
# A custom period reads one day row per unit, day and class: a year bounds the ranking's work.
MAX_CUSTOM_DAYS = 366
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2099, 12, 31)
DATE_FORMATS = ["%Y-%m-%d"]


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self) -> dict[str, str]:
        """The period as GET parameters for a link to another page showing the same days."""
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind, "on": self.start.isoformat()}

    def range_query(self) -> dict[str, str]:
        """Explicit first and last day (the cases behind a figure name their days, whatever the picker said)."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def shifted(self, step: int) -> Period | None:
        """The period before (-1) or after (+1) of the same kind; none for a custom one or off the calendar."""
        if self.kind == "custom":
            return None
        anchor = self.start - datetime.timedelta(days=1) if step < 0 else self.end + datetime.timedelta(days=1)
        if not FIRST_DAY <= anchor <= LAST_DAY:
            return None
        return period_of(self.kind, anchor)


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_of(kind: str, on: datetime.date) -> Period:
    """The day, ISO week (Monday first), month, quarter or year holding `on`."""
    if kind == "day":
        return Period(kind, on, on)
    if kind == "week":
        start = on - datetime.timedelta(days=on.weekday())
        return Period(kind, start, start + datetime.timedelta(days=6))
    if kind == "quarter":
        first = 3 * ((on.month - 1) // 3) + 1
        return Period(kind, datetime.date(on.year, first, 1), _month_end(on.year, first + 2))
    if kind == "year":
        return Period(kind, datetime.date(on.year, 1, 1), datetime.date(on.year, 12, 31))
    return Period("month", on.replace(day=1), _month_end(on.year, on.month))


class PeriodForm(forms.Form):
    """?period=day|week|month|quarter|year&on=YYYY-MM-DD, or ?from=…&to=… (custom); &category= a class."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    on = forms.DateField(label=_("Day in the period"), required=False, input_formats=DATE_FORMATS)
    category = forms.ChoiceField(
        label=_("Class"), choices=[("", _("All classes")), *MatterClass.choices], required=False
    )

    def __init__(self, data: Any, today: datetime.date) -> None:
        super().__init__(data)
        self.today = today
        self.fields["from"] = forms.DateField(label=_("From"), required=False, input_formats=DATE_FORMATS)
        self.fields["to"] = forms.DateField(label=_("To"), required=False, input_formats=DATE_FORMATS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        kind = data.get("period") or ("custom" if first or last else DEFAULT_KIND)
        for name in ("on", "from", "to"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, _("Pick a day between 2000 and 2099"))
                return data
        if kind == "custom":
            if first is None or last is None:
                raise forms.ValidationError(_("A custom period needs its first and last day"))
            if first > last:
                raise forms.ValidationError(_("The first day comes after the last"))
            if (last - first).days + 1 > MAX_CUSTOM_DAYS:
                raise forms.ValidationError(_("A custom period may span at most 366 days"))
            data["resolved"] = Period("custom", first, last)
        else:
            data["resolved"] = period_of(kind, data.get("on") or self.today)
        return data

    @property
    def resolved(self) -> Period:
        """The period asked for, or the current month when the request's period is unusable (shown as errors)."""
        if self.is_valid():
            period: Period = self.cleaned_data["resolved"]
            return period
        return period_of(DEFAULT_KIND, self.today)

    @property
    def chosen_category(self) -> str:
        return str(self.cleaned_data.get("category") or "") if self.is_valid() else ""


class SchemeForm(forms.Form):
    """Typed as text: the numbers are checked by linli.assessment.actions.check_scheme, the one validator."""

    name = forms.CharField(label=_("Name"), max_length=200)
    weight_response = forms.CharField(label=_("Weight of the response rate"), max_length=16)
    weight_resolution = forms.CharField(label=_("Weight of the resolution rate"), max_length=16)
    weight_satisfaction = forms.CharField(label=_("Weight of the satisfaction rate"), max_length=16)
    basic_factor = forms.CharField(label=_("“Basically satisfied” counts as"), max_length=16)
    valid_from = forms.CharField(label=_("In force from"), max_length=16)
