from __future__ import annotations

from typing import IO, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_responsibility_list, can_edit_units, is_government_staff
from linli.core.http import requested_format, table_download, upload_page
from linli.places.queries import places_for, resolve_address

from . import actions
from .choices import MatterClass, UnitKind
from .forms import ResponsibilityForm
from .queries import matters_for, responsible_unit, units_for


@login_required
def matters(request: HttpRequest) -> HttpResponse:
    qs = matters_for(request.user).order_by("code")
    category = request.GET.get("category", "")
    query = request.GET.get("q", "").strip()
    if category:
        qs = qs.filter(category=category)
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(code__icontains=query) | Q(major_class__contains=query))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/matters.html",
        {
            "page": page,
            "categories": MatterClass.choices,
            "category": category,
            "q": query,
            "can_edit": can_edit_responsibility_list(request.user),
        },
    )


@login_required
def matters_export(request: HttpRequest) -> HttpResponse:
    fmt = requested_format(request)
    return table_download(actions.export_matters(request.user, fmt), fmt, "matters")


@login_required
def matters_import(request: HttpRequest) -> HttpResponse:
    if not can_edit_responsibility_list(request.user):
        raise PermissionDenied

    def run(upload: IO[bytes], name: str) -> str:
        return _("%(created)d matters added, %(updated)d updated") % actions.import_matters(request.user, upload, name)

    return upload_page(request, run=run, template="orgs/matters_import.html", success_url=reverse("orgs:matters"))


@login_required
def units_import(request: HttpRequest) -> HttpResponse:
    if not can_edit_units(request.user):
        raise PermissionDenied

    def run(upload: IO[bytes], name: str) -> str:
        return _("Imported %(n)d units") % {"n": actions.import_units(request.user, upload, name)}

    return upload_page(request, run=run, template="orgs/units_import.html", success_url=reverse("orgs:units"))


@login_required
def units(request: HttpRequest) -> HttpResponse:
    if not is_government_staff(request.user):
        raise PermissionDenied
    qs = units_for(request.user).annotate(places=Count("jurisdiction")).order_by("kind", "code")
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/units.html",
        {"page": page, "kinds": UnitKind.choices, "kind": kind, "can_import": can_edit_units(request.user)},
    )


@login_required
def responsibility(request: HttpRequest) -> HttpResponse:
    if not is_government_staff(request.user):
        raise PermissionDenied
    form = ResponsibilityForm(request.GET or None, matters=matters_for(request.user).order_by("code"))
    result: dict[str, Any] | None = None
    if form.is_bound and form.is_valid():
        place = None
        if form.cleaned_data.get("place_code"):
            place = places_for(request.user).filter(code=form.cleaned_data["place_code"].strip()).first()
        elif form.cleaned_data.get("address"):
            match = resolve_address(form.cleaned_data["address"])
            if match is not None:
                place = places_for(request.user).filter(pk=match.place.pk).first()
        if place is None:
            form.add_error(None, _("No place in your scope matches"))
        else:
            result = {"place": place, "answer": responsible_unit(form.cleaned_data.get("matter"), place)}
    return render(request, "orgs/responsibility.html", {"form": form, "result": result})
