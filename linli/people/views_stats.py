"""/people/statistics/: the registry's anonymous numbers for a place in the user's scope, on a page and as
Excel. Counts only, so no access-log row (a person's data in the clear is what the access log records)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from linli.accounts.predicates import can_read_registry_statistics
from linli.core.http import table_download
from linli.places.choices import PlaceLevel
from linli.places.models import Place
from linli.places.queries import places_for, top_places_for

from . import statistics

PLACE_CHOICES = 500


def _place(request: HttpRequest) -> Place:
    """The place asked for (`?place=<id>`, which must be one the user sees), else the top of their scope:
    the community for community staff, the whole street or district for those who hold one."""
    if not can_read_registry_statistics(request.user):
        raise PermissionDenied
    wanted = request.GET.get("place", "")
    if wanted:
        place = (
            places_for(request.user).filter(pk=int(wanted)).first() if wanted.isascii() and wanted.isdigit() else None
        )
    else:
        place = top_places_for(request.user).order_by("code").first()
    if place is None:
        raise Http404
    return place


@login_required
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    place = _place(request)
    tops = list(top_places_for(request.user).order_by("code")[:PLACE_CHOICES])
    communities = (
        places_for(request.user)
        .filter(level=PlaceLevel.COMMUNITY, is_active=True)
        .exclude(pk__in=[p.pk for p in tops])
        .order_by("code")[:PLACE_CHOICES]
    )
    context: dict[str, Any] = {
        "stats": statistics.compute(request.user, place),
        "choices": [*tops, *communities],
    }
    return render(request, "people/statistics.html", context)


@login_required
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    stats = statistics.compute(request.user, _place(request))
    return table_download(statistics.to_xlsx(stats), "xlsx", f"statistics-{stats.place.code}-{stats.day:%Y%m%d}")
