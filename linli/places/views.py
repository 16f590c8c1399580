from __future__ import annotations

from typing import IO, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_import_places, can_shape_place_tree, is_government_staff
from linli.core.http import requested_format, table_download, upload_page

from . import actions
from .forms import ResolveForm
from .models import Place
from .queries import children_for, places_for, resolve_address, resolve_point, top_places_for
from .tree_actions import child_levels


def _staff_only(request: HttpRequest) -> None:
    if not is_government_staff(request.user):
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
            # Rendered with json_script and read by static/linli/place-map.js: no data inside a <script> block.
            "map_data": {
                "geometry": place.geometry,
                "children": [{"name": c.name, "geometry": c.geometry} for c in page.object_list if c.geometry][:200],
            }
            if place.geometry
            else None,
            "can_import": can_import_places(request.user),
            "can_add": place.is_active and bool(child_levels(request.user, place)),
            "can_edit": place.parent_id is not None and can_shape_place_tree(request.user, place.parent, place.level),
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
    if not can_import_places(request.user):
        raise PermissionDenied

    def run(upload: IO[bytes], name: str) -> str:
        return _("Imported %(n)d places") % {"n": actions.import_places(request.user, upload, name).created}

    return upload_page(request, run=run, template="places/import.html", success_url=reverse("places:browse"))


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    root = None
    if request.GET.get("root"):
        # A root that is no place id (text, or past the column's range) is as unknown as an id out of scope.
        wanted = request.GET["root"]
        root = (
            places_for(request.user).filter(pk=int(wanted)).first() if wanted.isascii() and wanted.isdigit() else None
        )
        if root is None:
            raise Http404
    fmt = requested_format(request)
    data = actions.export_places(request.user, root, fmt)
    return table_download(data, fmt, f"places-{root.code if root else 'all'}")
