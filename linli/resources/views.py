"""The library's pages: search (with its Excel export), an entry's page, the entry form, and the steward's
one-click confirm and retire. Thin: each page checks a named predicate, reads through
linli.resources.queries (which starts from `restrict`) and writes through linli.resources.actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import (
    can_add_resource,
    can_edit_resource,
    can_export_resources,
    can_see_resource_contact,
)
from linli.core.masking import mask_name, mask_phone
from linli.core.tabular import write_xlsx
from linli.places.choices import PlaceLevel
from linli.places.queries import places_for

from . import actions
from .choices import Distance, Offer, ResourceKind
from .forms import ResourceForm, SearchForm, users_for_picking
from .models import Resource
from .queries import home_place, place_choices, resources_for, search

PAGE_SIZE = 30
EXPORT_LIMIT = 5000


def _searched(request: HttpRequest) -> tuple[SearchForm, Any, Any]:
    form = SearchForm(request.GET or None, places=place_choices(request.user))
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    place = data.get("place") or (None if form.is_bound else home_place(request.user))
    results = search(
        request.user,
        place=place,
        kind=data.get("kind", ""),
        skill=data.get("skill", ""),
        text=data.get("q", ""),
        stale=bool(data.get("stale")),
        mine=bool(data.get("mine")),
    )
    return form, place, results


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    form, place, results = _searched(request)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "near": place,
        "distances": dict(Distance.choices),
        "may_add": can_add_resource(request.user),
        "may_export": can_export_resources(request.user),
        "query": request.GET.urlencode(),
    }
    template = "resources/_results.html" if request.headers.get("HX-Request") else "resources/search.html"
    return render(request, template, context)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    if not can_export_resources(request.user):
        raise PermissionDenied
    _form, _place, results = _searched(request)
    columns = [
        _("Name"),
        _("Kind"),
        _("Place"),
        _("Distance"),
        _("Tags, skills or fields"),
        _("Contact person"),
        _("Contact phone"),
        _("Last confirmed"),
        _("Stale"),
    ]
    kinds, distances = dict(ResourceKind.choices), dict(Distance.choices)
    rows = []
    for r in results[:EXPORT_LIMIT]:
        clear = can_see_resource_contact(request.user, r)
        rows.append(
            [
                r.name,
                str(kinds.get(r.kind, r.kind)),
                r.place.name,
                str(distances.get(r.distance, "")) if r.distance is not None else "",
                "、".join(r.tag_list),
                r.contact_name if clear else mask_name(r.contact_name),
                r.contact_phone if clear else mask_phone(r.contact_phone),
                timezone.localtime(r.last_confirmed_at).date().isoformat(),
                _("Yes") if r.is_stale else "",
            ]
        )
    response = HttpResponse(
        write_xlsx(columns, rows, title=_("Resources")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="resources.xlsx"'
    return response


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(resources_for(request.user).select_related("steward", "place"), pk=pk)
    clear = can_see_resource_contact(request.user, resource)
    steward = str(resource.steward) if resource.steward else ""
    context = {
        "r": resource,
        "lineage": resource.place.lineage(),
        "serves": list(resource.serves.all()),
        "may_edit": can_edit_resource(request.user, resource),
        "contact_name": resource.contact_name if clear else mask_name(resource.contact_name),
        "contact_phone": resource.contact_phone if clear else mask_phone(resource.contact_phone),
        "steward": steward if clear else mask_name(steward),
        "kinds": ResourceKind,
        "offer_labels": [str(dict(Offer.choices).get(o, o)) for o in resource.offer_list],
    }
    return render(request, "resources/detail.html", context)


def _form(request: HttpRequest, instance: Resource | None) -> ResourceForm:
    user = request.user
    places = places_for(user, "change").exclude(level__in=[PlaceLevel.PROVINCE, PlaceLevel.CITY, PlaceLevel.DISTRICT])
    if instance is not None:
        places = places | places_for(user, "pick").filter(pk=instance.place_id)
    serve_places = places_for(user).filter(level__in=[PlaceLevel.STREET, PlaceLevel.COMMUNITY])
    users = users_for_picking(user)
    if instance is not None and instance.steward_id:
        users = users | users.model._default_manager.filter(pk=instance.steward_id)
    return ResourceForm(
        request.POST or None,
        instance=instance,
        places=places.distinct(),
        users=users.distinct(),
        serve_places=serve_places,
        initial={"kind": request.GET.get("kind", "")} if instance is None else None,
    )


def _save(request: HttpRequest, form: ResourceForm, instance: Resource | None) -> Resource | None:
    if not form.is_valid():
        return None
    data = form.action_fields()
    place, serves = data.pop("place"), data.pop("serves")
    try:
        if instance is None:
            return actions.create_resource(
                request.user, kind=form.cleaned_data["kind"], place=place, serves=serves, **data
            )
        return actions.update_resource(request.user, instance, place=place, serves=serves, **data)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    return None


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not can_add_resource(request.user):
        raise PermissionDenied
    form = _form(request, None)
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Saved"))
            return redirect("resources:detail", pk=saved.pk)
    return render(request, "resources/form.html", {"form": form, "r": None})


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(resources_for(request.user, "change"), pk=pk)
    form = _form(request, resource)
    if request.method == "POST":
        saved = _save(request, form, resource)
        if saved is not None:
            messages.success(request, _("Saved"))
            return redirect("resources:detail", pk=saved.pk)
    return render(request, "resources/form.html", {"form": form, "r": resource})


ACTS = {"confirm": actions.confirm_resource, "retire": actions.retire_resource}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTS:
        raise Http404
    resource = get_object_or_404(resources_for(request.user, "change"), pk=pk)
    try:
        ACTS[action](request.user, resource)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Confirmed as current") if action == "confirm" else _("Retired"))
    return redirect("resources:detail", pk=resource.pk)
