"""Adding, renaming, moving, retiring and restoring one place from its page (linli.places.tree_actions).

A place outside the user's view is a 404; one they see but may not shape (a grid worker's, or a grid for
community staff) is a 403. A refusal by the action comes back as the same page with the form's errors in
the user's language (status 400), and nothing is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_shape_place_tree

from . import tree_actions
from .forms import AddPlaceForm, MoveForm, RenameForm, RetireForm
from .models import Place
from .queries import places_for

PARENT_CHOICES = 200


def _visible(request: HttpRequest, pk: int) -> Place:
    return get_object_or_404(places_for(request.user).select_related("parent"), pk=pk)


def _shapeable(request: HttpRequest, pk: int) -> Place:
    place = _visible(request, pk)
    if not can_shape_place_tree(request.user, place.parent, place.level):
        raise PermissionDenied
    return place


def _refused(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do this"))
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _lineage_names(place: Place) -> list[str]:
    return list(Place.objects.filter(pk__in=place.ancestor_ids).order_by("depth").values_list("name", flat=True))


@login_required
def add_child(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _visible(request, pk)
    levels = tree_actions.child_levels(request.user, parent)
    if not levels:
        raise PermissionDenied
    wanted = (request.POST if request.method == "POST" else request.GET).get("level", "")
    level = wanted if wanted in levels else levels[0]
    form = AddPlaceForm(
        request.POST or None, levels=levels, initial={"level": level, "code": tree_actions.suggest_code(parent, level)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place = tree_actions.add_place(
                request.user,
                parent,
                level=data["level"],
                code=data["code"],
                name=data["name"],
                area=data.get("area"),
                use=data.get("use") or None,
            )
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, _("Added %(place)s") % {"place": place})
            return redirect("places:detail", parent.pk)
    status = 400 if form.errors else 200
    context = {"parent": parent, "form": form, "ancestor_names": _lineage_names(parent), "level": level}
    return render(request, "places/add_child.html", context, status=status)


def _edit_page(request: HttpRequest, place: Place, status: int = 200, **bound: forms.Form) -> HttpResponse:
    candidates: Any = Place.objects.none()
    if place.parent is not None:
        candidates = (
            places_for(request.user, "change")
            .filter(is_active=True, level=place.parent.level)
            .exclude(pk=place.parent.pk)
            .order_by("code")[:PARENT_CHOICES]
        )
    context: dict[str, Any] = {
        "place": place,
        "ancestor_names": _lineage_names(place),
        "rename_form": bound.get("rename") or RenameForm(initial={"name": place.name}),
        "move_form": bound.get("move") or MoveForm(),
        "retire_form": bound.get("retire") or RetireForm(),
        "restore_form": bound.get("restore") or forms.Form(),
        "candidates": candidates,
        "active_children": place.children.filter(is_active=True).count(),
        "residents": tree_actions.residents_count(place),
    }
    return render(request, "places/edit.html", context, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit_page(request, _shapeable(request, pk))


@login_required
@require_POST
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    place = _shapeable(request, pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            tree_actions.rename_place(request.user, place, form.cleaned_data["name"])
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, _("Renamed"))
            return redirect("places:detail", place.pk)
    return _edit_page(request, place, status=400, rename=form)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    place = _shapeable(request, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["parent_code"].strip()
        # Only places the user may change are looked up, so a code elsewhere reads as unknown, not as "not yours".
        new_parent = places_for(request.user, "change").filter(code=code).first()
        if new_parent is None:
            form.add_error("parent_code", _("No place you may change has this code"))
        else:
            try:
                tree_actions.move_place(request.user, place, new_parent)
            except (ValidationError, PermissionDenied) as error:
                _refused(form, error)
            else:
                messages.success(request, _("Moved under %(place)s") % {"place": new_parent})
                return redirect("places:detail", place.pk)
    return _edit_page(request, place, status=400, move=form)


@login_required
@require_POST
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    place = _shapeable(request, pk)
    form = RetireForm(request.POST)
    if form.is_valid():
        try:
            tree_actions.retire_place(request.user, place, form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, _("Retired: it is no longer offered anywhere"))
            return redirect("places:detail", place.pk)
    return _edit_page(request, place, status=400, retire=form)


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    place = _shapeable(request, pk)
    form = forms.Form(request.POST)
    try:
        tree_actions.restore_place(request.user, place)
    except (ValidationError, PermissionDenied) as error:
        _refused(form, error)
        return _edit_page(request, place, status=400, restore=form)
    messages.success(request, _("Back in use"))
    return redirect("places:detail", place.pk)
