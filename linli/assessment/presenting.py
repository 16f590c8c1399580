"""How a unit's figures read on a page: each rate with its value, its numerator and denominator as the
counters they sum (each a link to the cases behind it) and its formula beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from .indicators import RATES, Figures

COUNTER_LABELS: dict[str, Any] = {
    "cases": _("cases dispatched"),
    "contacted": _("contacted"),
    "contacted_in_time": _("contacted in time"),
    "contact_seconds": _("contacted (time to contact)"),
    "resolved": _("resolved"),
    "resolved_on_time": _("resolved on time"),
    "resolve_seconds": _("resolved (time to resolve)"),
    "overdue": _("overdue"),
    "extended": _("given more time"),
    "returned": _("returned"),
    "reopened": _("reopened"),
    "rated": _("rated"),
    "rated_resolved": _("rated “resolved”"),
    "satisfied": _("satisfied"),
    "basic": _("basically satisfied"),
    "unsatisfied": _("unsatisfied"),
    "dispatches": _("dispatches"),
    "misdispatches": _("dispatches found wrong"),
}


def number(value: float) -> str:
    """12 for 12.0; 12.8 for 12.8 (a satisfaction numerator weighs the basically satisfied by k)."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


@dataclass
class Term:
    """One counter in a numerator or denominator: its count, what it counts, and the link to its cases."""

    counter: str
    text: str
    label: Any
    href: str
    times: str = ""  # a factor written before it (k for the basically satisfied)
    sign: str = ""  # "+" or "−" before it, after the first term


@dataclass
class RateRow:
    key: str
    label: Any
    formula: Any
    value: str
    numerator: list[Term]
    denominator: Term


def rate_rows(figures: Figures, link: Callable[[str], str]) -> list[RateRow]:
    """Every rate of indicators.RATES, in its order, with links made by `link(counter)`."""
    c = figures.counts

    def term(counter: str, **extra: str) -> Term:
        return Term(counter, number(c[counter]), COUNTER_LABELS[counter], link(counter), **extra)

    rows = []
    for key, label, formula, num, den in RATES:
        if key == "satisfaction":
            k = number(float(figures.weights.basic))
            numerator = [term("satisfied"), term("basic", sign="+", times=k)]
        elif key == "accuracy":
            numerator = [term("dispatches"), term("misdispatches", sign="−")]
        else:
            numerator = [term(num)]
        rate = figures.rate(key)
        rows.append(RateRow(key, label, formula, percent(rate.value), numerator, term(den)))
    return rows


@dataclass
class Average:
    label: Any
    formula: Any
    value: str
    over: Term


def averages(figures: Figures, link: Callable[[str], str]) -> list[Average]:
    c = figures.counts
    return [
        Average(
            _("Average hours to contact"),
            _("time from the first dispatch to the first contact, summed ÷ cases contacted"),
            hours(figures.hours_to_contact),
            Term("contacted", number(c["contacted"]), COUNTER_LABELS["contacted"], link("contacted")),
        ),
        Average(
            _("Average hours to resolve"),
            _("time from the first dispatch to the last resolution, summed ÷ cases resolved"),
            hours(figures.hours_to_resolve),
            Term("resolved", number(c["resolved"]), COUNTER_LABELS["resolved"], link("resolved")),
        ),
    ]
