"""Service catalogue pages: the catalogue every grant holder reads, the staff's offer and kind forms, and
the assign button of the case page's "matched providers" panel (a plain POST to the cases' dispatch).

Thin: each view checks a named predicate, reads through .queries (from `restrict`) and writes through
.actions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import (
    can_edit_service_kinds,
    can_edit_service_offer,
    can_keep_service_offers,
    can_read_service_catalogue,
)
from linli.accounts.scopes import restrict
from linli.cases.models import Case

from . import actions, queries
from .forms import KindForm, OfferForm
from .models import ServiceKind, ServiceOffer


@login_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_read_service_catalogue(user):
        raise PermissionDenied
    near = queries.near_places(user)
    place = None
    if (wanted := request.GET.get("place", "")).isdigit():
        place = near.filter(pk=int(wanted)).first()
    context = {
        "kinds": queries.catalogue(user, place),
        "near": near,
        "place": place,
        "may_add_offer": can_keep_service_offers(user),
        "may_edit_kinds": can_edit_service_kinds(user),
        "editable": set(queries.offers_to_edit(user).values_list("pk", flat=True))
        if can_keep_service_offers(user)
        else set(),
    }
    return render(request, "services/catalogue.html", context)


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def offer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    offer = None
    if pk is not None:
        offer = get_object_or_404(restrict(ServiceOffer.objects.all(), user), pk=pk)
        if not can_edit_service_offer(user, offer):
            raise PermissionDenied
    elif not can_keep_service_offers(user):
        raise PermissionDenied
    initial = {}
    if offer is not None:
        initial = {
            "unit": offer.unit_id,
            "kind": offer.kind_id,
            "places": list(offer.places.values_list("pk", flat=True)),
            "price": offer.price,
            "accepting": offer.accepting,
        }
    form = OfferForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_offer(
                user,
                offer,
                unit=data["unit"],
                kind=data["kind"],
                places=list(data["places"]),
                price=data["price"],
                accepting=data["accepting"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Offer saved"))
            return redirect("services:catalogue")
    return render(request, "services/offer_form.html", {"form": form, "offer": offer})


@login_required
def kind_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    if not can_edit_service_kinds(user):
        raise PermissionDenied
    kind = get_object_or_404(restrict(ServiceKind.objects.all(), user, "change"), pk=pk) if pk else None
    initial = {}
    if kind is not None:
        initial = {
            "code": kind.code,
            "name": kind.name,
            "description": kind.description,
            "matters": list(kind.matters.values_list("pk", flat=True)),
            "is_active": kind.is_active,
        }
    form = KindForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_kind(
                user,
                kind,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                matters=list(data["matters"]),
                is_active=data["is_active"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Service saved"))
            return redirect("services:catalogue")
    return render(request, "services/kind_form.html", {"form": form, "kind": kind})


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The assign button of the matched providers panel on the case page."""
    user = request.user
    case = get_object_or_404(restrict(Case.objects.all(), user), pk=pk)
    offer_id = request.POST.get("offer", "")
    if not offer_id.isdigit():
        raise Http404
    offer = get_object_or_404(ServiceOffer.objects.select_related("unit", "kind"), pk=int(offer_id))
    try:
        actions.assign_to_provider(user, case, offer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sent to %(unit)s") % {"unit": offer.unit.name})
    return redirect(reverse("cases:case", args=[case.pk]))
