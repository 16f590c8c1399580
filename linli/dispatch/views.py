from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_correct_decision, can_dispatch
from linli.orgs.directory import assignable_units
from linli.orgs.queries import matters_for
from linli.places.queries import places_for

from . import actions, services
from .forms import CorrectionForm, TryForm
from .queries import decisions_for, recent_models


def _require_dispatcher(request: HttpRequest) -> None:
    if not can_dispatch(request.user):
        raise PermissionDenied


@login_required
def try_engine(request: HttpRequest) -> HttpResponse:
    """Dispatchers try the engine on any text and place and see the decision and why; nothing is stored."""
    _require_dispatcher(request)
    form = TryForm(request.POST or None)
    decision = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision, _stored = services.decide_and_record(
            request.user,
            data["title"],
            data["body"],
            longitude=data["longitude"],
            latitude=data["latitude"],
            address=data["address"],
            channel=data["channel"],
            record=False,
        )
        if decision.place is not None and not places_for(request.user).filter(pk=decision.place.pk).exists():
            decision.reasons["place"] += _(" (outside your scope)")
    context: dict[str, Any] = {"form": form, "decision": decision, "models": recent_models(5)}
    template = "dispatch/_decision.html" if request.htmx and decision else "dispatch/try.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    _require_dispatcher(request)
    qs = decisions_for(request.user).select_related("unit", "matter", "place", "model").order_by("-id")
    mode = request.GET.get("mode", "")
    if mode:
        qs = qs.filter(mode=mode)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "dispatch/decisions.html", {"page": page, "mode": mode})


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_dispatcher(request)
    decision = get_object_or_404(
        decisions_for(request.user).select_related("unit", "matter", "place", "model", "final_unit", "final_matter"),
        pk=pk,
    )
    form = CorrectionForm(
        request.POST or None,
        matters=matters_for(request.user).order_by("code"),
        units=assignable_units(request.user, place=decision.place).order_by("kind", "code"),
        initial={
            "category": decision.final_category or decision.category,
            "matter": decision.final_matter_id or decision.matter_id,
            "unit": decision.final_unit_id or decision.unit_id,
        },
    )
    if request.method == "POST" and can_correct_decision(request.user, decision) and form.is_valid():
        try:
            actions.record_correction(
                request.user,
                decision,
                matter=form.cleaned_data["matter"],
                unit=form.cleaned_data["unit"],
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Correction saved; it will teach the next model"))
            return redirect("dispatch:decision", pk=decision.pk)
    return render(
        request,
        "dispatch/decision_detail.html",
        {"decision": decision, "form": form, "can_correct": can_correct_decision(request.user, decision)},
    )
