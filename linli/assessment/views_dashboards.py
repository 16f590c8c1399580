"""The dashboards' pages (linli.assessment.dashboards): thin views over the area the viewer may read.

The page itself answers with the overview tiles, the classes, the child areas and the late cases; the trend,
the recurring problems and the forecast load after it (htmx, `hx-trigger="load"`), each a fragment of its
own, and the map reads its shapes from the GeoJSON view. Every one checks the same things: the predicate,
then the place through the viewer's scope (a place out of reach is a 404, whatever the part)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_read_dashboards
from linli.core.http import table_download
from linli.core.roles import current_role
from linli.places.models import Place

from . import dashboards as d
from .dashboards_cases import AT_RISK_HOURS, at_risk_cases, overdue_cases
from .dashboards_export import workbook
from .dashboards_forecast import BACKTEST_WEEKS, HORIZON, chart_data, forecast
from .dashboards_recurring import recurring
from .indicators import RATES


def _reader(request: HttpRequest) -> Any:
    if not can_read_dashboards(request.user):
        raise PermissionDenied(_("Your role does not read the dashboards"))
    return request.user


def _place(request: HttpRequest, pk: int) -> Place:
    return get_object_or_404(d.dashboard_places(_reader(request)), pk=pk)


def _period(request: HttpRequest) -> tuple[d.PeriodForm, d.Period]:
    form = d.PeriodForm(request.GET or None)
    return form, form.chosen(timezone.localdate())


def _labels() -> dict[str, str]:
    """The words dashboard.js puts on the charts (it holds no text of its own, so every word is translated)."""
    rates = {key: str(label) for key, label, *_rest in RATES}
    return {**rates, "volume": _("Cases"), "save_image": _("Save as image")}


def _attribute_json(data: Any) -> str:
    """Chart data for a data- attribute of an htmx fragment (htmx drops a fragment's <script> elements, so
    json_script cannot carry it there); the template's autoescape makes it a safe attribute value."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    pk = d.own_place_pk(_reader(request), current_role(request))
    if pk is None:
        raise Http404(_("No area to show"))
    url = reverse("assessment:dashboard", args=[pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(request, pk)
    user = request.user
    form, period = _period(request)
    area = d.area_of(place)
    ov = d.overview(user, area, period)
    reachable = d.dashboard_places(user)
    ancestors = list(reachable.filter(pk__in=place.ancestor_ids).order_by("depth").only("pk", "name"))
    overdue, overdue_total = overdue_cases(user, place)
    at_risk, at_risk_total = at_risk_cases(user, place)
    children = [
        {
            "place": c,
            "volume": ov.by_child[c.pk].volume,
            "cells": [d.shown("rate", v) for v in d.rates_of(ov.by_child[c.pk]).values()],
            "linked": c.level in d.DASHBOARD_LEVELS,
        }
        for c in sorted(area.children, key=lambda c: (-ov.by_child[c.pk].volume, c.code))
    ]
    return render(
        request,
        "assessment/dashboards/dashboard.html",
        {
            "place": place,
            "ancestors": ancestors,
            "form": form,
            "period": period,
            "previous": period.step(-1),
            "next": period.step(1),
            "tiles": d.tiles(ov.total),
            "children": children,
            "map_rates": [(key, label) for key, label, *_rest in RATES if key in d.MAP_RATES],
            "overdue": overdue,
            "overdue_total": overdue_total,
            "at_risk": at_risk,
            "at_risk_total": at_risk_total,
            "at_risk_hours": AT_RISK_HOURS,
            # Read by static/linli/dashboard.js through json_script: no data inside a <script> block.
            "chart_data": {"labels": _labels(), "categories": d.category_series(ov)},
        },
    )


@login_required
def areas(request: HttpRequest, pk: int) -> HttpResponse:
    """The child areas' shapes and the period's figures of each, as GeoJSON for the map (and the area's own
    outline): only places in the viewer's reach, names as plain strings for the script to set as text."""
    place = _place(request, pk)
    user = request.user
    _form, period = _period(request)
    area = d.area_of(place)
    shapes = dict(
        Place.objects.restrict(user, "view")
        .filter(pk__in=[c.pk for c in area.children], geometry__isnull=False)
        .values_list("pk", "geometry")
    )
    ov = d.overview(user, area, period)
    features = []
    for child in area.children:
        if not shapes.get(child.pk):
            continue  # out of reach, or never drawn
        figures = ov.by_child[child.pk]
        features.append(
            {
                "type": "Feature",
                "geometry": shapes[child.pk],
                "properties": {
                    "pk": child.pk,
                    "name": child.name,
                    "code": child.code,
                    "volume": figures.volume,
                    "rates": d.rates_of(figures),
                    "url": reverse("assessment:dashboard", args=[child.pk]) + "?" + period.query
                    if child.level in d.DASHBOARD_LEVELS
                    else "",
                },
            }
        )
    body = {"type": "FeatureCollection", "features": features, "outline": place.geometry, "period": period.label}
    return JsonResponse(body, content_type="application/geo+json")


@login_required
def trend(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(request, pk)
    _form, period = _period(request)
    weeks = d.trend(request.user, d.area_of(place), period)
    chart = {"weeks": weeks, "labels": _labels()}
    return render(request, "assessment/dashboards/_trend.html", {"chart_json": _attribute_json(chart)})


@login_required
def recurring_problems(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(request, pk)
    _form, period = _period(request)
    clusters = recurring(request.user, d.area_of(place), period)
    return render(request, "assessment/dashboards/_recurring.html", {"clusters": clusters, "period": period})


@login_required
def demand_forecast(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(request, pk)
    result = forecast(request.user, d.area_of(place), timezone.localdate())
    return render(
        request,
        "assessment/dashboards/_forecast.html",
        {
            "result": result,
            "chart_json": _attribute_json({**chart_data(result), "labels": _labels()}),
            "backtest_weeks": BACKTEST_WEEKS,
            "horizon": HORIZON,
        },
    )


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    place = _place(request, pk)
    _form, period = _period(request)
    data = workbook(request.user, d.area_of(place), period, timezone.localdate())
    return table_download(data, "xlsx", f"dashboard-{place.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}")
