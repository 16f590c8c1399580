"""Assessment pages (考核, DESIGN §6): a unit's figures for a period, each with its formula and links to the
cases behind it; the cases behind one figure; the ranking of a peer group; the scheme in force.

Thin: each page checks a named predicate (linli.accounts.predicates, Assessment), reads units through
`Unit.objects.restrict` and the assessment scope (linli.assessment.scoping), figures through
linli.assessment.queries, and writes through linli.assessment.actions. A unit outside the user's unit scope
is a 404; one inside it whose figures their role does not read, a 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from linli.accounts.predicates import (
    can_edit_scheme,
    can_read_assessment,
    can_read_ranking,
    can_read_unit_figures,
)
from linli.cases.queries import keyset
from linli.orgs.models import Unit

from . import queries
from .actions import set_scheme
from .forms import Period, PeriodForm, SchemeForm
from .indicators import DEFAULT_SCHEME, scheme_on
from .models import COUNTERS, Scheme
from .presenting import COUNTER_LABELS, Term, averages, hours, number, percent, rate_rows
from .scoping import RANK_GROUPS, ranking_areas

GROUP_LABELS = {
    "streets": gettext_lazy("Streets"),
    "departments": gettext_lazy("Departments"),
    "communities": gettext_lazy("Communities"),
}
SCHEME_HISTORY = 20


def _class_param(category: str) -> dict[str, str]:
    return {"category": category} if category else {}


def _gate(request: HttpRequest) -> None:
    if not can_read_assessment(request.user):
        raise PermissionDenied


def _unit_or_404(request: HttpRequest, pk: int) -> Unit:
    _gate(request)
    unit = Unit.objects.restrict(request.user, "view").filter(pk=pk).first()
    if unit is None:
        raise Http404
    if not can_read_unit_figures(request.user, unit):
        raise PermissionDenied
    return unit


def _period_context(request: HttpRequest, form: PeriodForm, period: Period) -> dict[str, Any]:
    """The picker's state and the links to the period before and after, keeping the other parameters."""

    def link(other: Period | None) -> str:
        if other is None:
            return ""
        keep = {k: v for k, v in request.GET.items() if k not in {"period", "on", "from", "to", "after"}}
        return "?" + urlencode({**keep, **other.query()})

    return {
        "form": form,
        "period": period,
        "previous_link": link(period.shifted(-1)),
        "next_link": link(period.shifted(1)),
        "period_errors": [] if form.is_valid() else [m for ms in form.errors.values() for m in ms],
    }


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The units whose figures the user reads, and the rankings open to them."""
    _gate(request)
    groups = [(g, GROUP_LABELS[g]) for g in RANK_GROUPS if can_read_ranking(request.user, g)]
    context = {
        "units": queries.units_by_kind(request.user),
        "groups": groups,
        "can_edit_scheme": can_edit_scheme(request.user),
    }
    return render(request, "assessment/index.html", context)


@login_required
@require_GET
def unit_page(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request, pk)
    form = PeriodForm(request.GET, timezone.localdate())
    period, category = form.resolved, form.chosen_category
    figures = queries.figures_of(unit, period.start, period.end, category)
    base = reverse("assessment:cases", args=[unit.pk])

    def link(counter: str) -> str:
        return f"{base}?{urlencode({**period.range_query(), 'counter': counter, **_class_param(category)})}"

    weights = figures.weights
    context = {
        "unit": unit,
        "rates": rate_rows(figures, link),
        "averages": averages(figures, link),
        "volume": Term("cases", number(figures.volume), COUNTER_LABELS["cases"], link("cases")),
        "composite": percent(figures.composite),
        "weights": [
            (_("Response rate"), number(float(weights.response))),
            (_("Resolution rate"), number(float(weights.resolution))),
            (_("Satisfaction rate"), number(float(weights.satisfaction))),
        ],
        "basic_factor": number(float(weights.basic)),
        "scheme": queries.scheme_in_force(period.end),
        "category": category,
        **_period_context(request, form, period),
    }
    return render(request, "assessment/unit.html", context)


@login_required
@require_GET
def unit_cases(request: HttpRequest, pk: int) -> HttpResponse:
    """The cases behind one figure: the unit's facts of the period with the counter set, those the user reads."""
    unit = _unit_or_404(request, pk)
    counter = request.GET.get("counter") or "cases"
    if counter not in COUNTERS:
        raise Http404
    form = PeriodForm(request.GET, timezone.localdate())
    period, category = form.resolved, form.chosen_category
    cases = queries.cases_behind(request.user, unit, period.start, period.end, counter, category)
    page = keyset(cases, request.GET.get("after"))
    seconds = counter.endswith("_seconds")
    rows = []
    for case in page.rows:
        value = (case.fact.contribution.get("counts") or {}).get(counter, 0)
        rows.append({"case": case, "value": hours(value / 3600) if seconds else number(value)})
    keep = {**period.range_query(), "counter": counter, **_class_param(category)}
    counted = queries.figures_of(unit, period.start, period.end, category).counts[counter]
    context = {
        "unit": unit,
        "counter": counter,
        "counter_label": COUNTER_LABELS[counter],
        "rows": rows,
        "seen": cases.count(),
        "counted": hours(counted / 3600) if seconds else number(counted),
        "seconds": seconds,
        "older_link": f"?{urlencode({**keep, 'after': page.next_after})}" if page.next_after else "",
        "newest_link": f"?{urlencode(keep)}" if page.after else "",
        "back_link": reverse("assessment:unit", args=[unit.pk])
        + "?"
        + urlencode({**period.query(), **_class_param(category)}),
        "category": category,
        **_period_context(request, form, period),
    }
    return render(request, "assessment/cases.html", context)


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    """A peer group ranked within an area the user may rank (their district), by the composite."""
    _gate(request)
    groups = [g for g in RANK_GROUPS if can_read_ranking(request.user, g)]
    if not groups:
        raise PermissionDenied
    group = request.GET.get("group") or groups[0]
    if group not in RANK_GROUPS:
        raise Http404
    if group not in groups:
        raise PermissionDenied
    areas = list(ranking_areas(request.user, group))
    wanted = request.GET.get("area", "")
    area = next((a for a in areas if str(a.pk) == wanted), None) if wanted else (areas[0] if areas else None)
    if wanted and area is None:
        raise Http404
    form = PeriodForm(request.GET, timezone.localdate())
    period, category = form.resolved, form.chosen_category
    rows = queries.ranking(request.user, area.path, group, period.start, period.end, category) if area else []
    query = {**period.query(), **_class_param(category)}
    context = {
        "group": group,
        "groups": [(g, GROUP_LABELS[g], urlencode({**query, "group": g})) for g in groups],
        "areas": areas,
        "area": area,
        "hidden": [("group", group), *([("area", str(area.pk))] if area is not None and wanted else [])],
        "rows": [
            {
                "row": row,
                "rates": [percent(row.figures.rate(k).value) for k in ("response", "resolution", "satisfaction")],
                "composite": percent(row.figures.composite),
                "href": reverse("assessment:unit", args=[row.unit.pk]) + "?" + urlencode(query) if row.readable else "",
            }
            for row in rows
        ],
        **_period_context(request, form, period),
    }
    return render(request, "assessment/ranking.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scheme(request: HttpRequest) -> HttpResponse:
    """The scheme in force and those before it; district command puts a new one in force."""
    _gate(request)
    editable = can_edit_scheme(request.user)
    today = timezone.localdate()
    current = scheme_on(today)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                set_scheme(request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The new scheme is saved."))
                return redirect("assessment:scheme")
    else:
        form = SchemeForm(
            initial={
                "name": "",
                "weight_response": current.response,
                "weight_resolution": current.resolution,
                "weight_satisfaction": current.satisfaction,
                "basic_factor": current.basic,
                "valid_from": today.isoformat(),
            }
        )
    context = {
        "form": form if editable else None,
        "current": current,
        "current_row": queries.scheme_in_force(today),
        "default": DEFAULT_SCHEME,
        "schemes": list(Scheme.objects.restrict(request.user, "view")[:SCHEME_HISTORY]),
    }
    return render(request, "assessment/scheme.html", context)
