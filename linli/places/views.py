from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from linli.core.tabular import ImportRejected

from . import actions
from .forms import ImportForm, ResolveForm
from .models import Place
from .permissions import can_import
from .queries import children_for, places_for, resolve_address, resolve_point, top_places_for


def _staff_only(request: HttpRequest) -> None:
    if not getattr(request.user, "is_government_staff", False):
        raise PermissionDenied


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    query = request.GET.get("q", "").strip()
    if query:
        results = places_for(request.user).filter(name__contains=query).order_by("depth", "code")[:100]
        return render(request, "places/search.html", {"results": results, "q": query})
    roots = top_places_for(request.user).order_by("code")
    if roots.count() == 1:
        return redirect("places:detail", roots.get().pk)
    return render(request, "places/browse.html", {"roots": roots})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    place = get_object_or_404(places_for(request.user), pk=pk)
    visible_ancestors = places_for(request.user).filter(pk__in=place.ancestor_ids).order_by("depth")
    page = Paginator(children_for(request.user, place), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "ancestors": visible_ancestors,
            "ancestor_names": list(
                Place.objects.filter(pk__in=place.ancestor_ids).order_by("depth").values_list("name", flat=True)
            ),
            "page": page,
            "geometry_json": json.dumps(place.geometry) if place.geometry else "",
            "children_geojson": json.dumps(
                [{"name": c.name, "geometry": c.geometry} for c in page.object_list if c.geometry][:200]
            ),
            "can_import": can_import(request.user),
        },
    )


@login_required
def resolve(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = ResolveForm(request.GET or None)
    result: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("longitude") is not None and data.get("latitude") is not None:
            grid = resolve_point(data["longitude"], data["latitude"])
            result = {
                "kind": "point",
                "place": grid if grid and places_for(request.user).filter(pk=grid.pk).exists() else None,
            }
        else:
            match = resolve_address(data["address"])
            if match is not None and not places_for(request.user).filter(pk=match.place.pk).exists():
                match = None
            result = {"kind": "address", "place": match.place if match else None, "match": match}
    template = "places/_resolve_result.html" if request.htmx else "places/resolve.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "result": result})


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = actions.import_places(request.user, upload, upload.name)
        except ImportRejected as exc:
            errors = exc
        else:
            messages.success(request, _("Imported %(n)d places") % {"n": result.created})
            return redirect("places:browse")
    return render(request, "places/import.html", {"form": form, "errors": errors})


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    root = None
    if request.GET.get("root"):
        root = places_for(request.user).filter(pk=request.GET["root"]).first()
        if root is None:
            raise Http404
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    data = actions.export_places(request.user, root, fmt)
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=content_type)
    name = f"places-{root.code if root else 'all'}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
