"""The cards' forms post here: one thin view finds the record and the form, and calls the action.

A refusal by the action comes back as the same card with the form open and its errors in the user's language
(status 400); a person without the predicate gets 403; a record or row outside their scope 404. The action
runs inside one transaction with the lookups it needs, so a refused form leaves nothing half-written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import queries_pages as q
from .page_actions import HOUSE_ACTIONS, HOUSEHOLD_ACTIONS, PERSON_ACTIONS, Bound, PageAction, build
from .pages import house_context, household_context, person_context
from .views import errors_into, reader

Kind = tuple[
    Callable[[Any, int], Any], tuple[PageAction, ...], Callable[..., dict[str, Any]], str, str
]  # finder, actions, context builder, template, card URL name
KINDS: dict[str, Kind] = {
    "person": (q.person_for_page, PERSON_ACTIONS, person_context, "people/person.html", "people:person"),
    "household": (
        q.household_for_page,
        HOUSEHOLD_ACTIONS,
        household_context,
        "people/household.html",
        "people:household",
    ),
    "house": (q.house_for_page, HOUSE_ACTIONS, house_context, "people/house.html", "people:house"),
}


@login_required
@require_POST
def act(request: HttpRequest, kind: str, pk: int, name: str, obj: int | None = None) -> HttpResponse:
    user = reader(request)
    find, actions, context_of, template, card = KINDS[kind]
    subject = find(user, pk)
    action = next((a for a in actions if a.name == name), None)
    if subject is None or action is None or (obj is None) != (action.targets is None):
        raise Http404
    if not action.may(user, subject):
        raise PermissionDenied
    target = None
    if action.targets is not None:
        target = action.targets(user, subject).filter(pk=obj).first()
        if target is None:
            raise Http404
    form = build(action, user, subject, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                goto = action.run(user, subject, form.cleaned_data, target)
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, str(action.done))
            return redirect(goto) if isinstance(goto, str) else redirect(card, pk=pk)
    subject = find(user, pk) or subject  # as it is now, for the card shown with the errors
    bound = Bound(name=name, form=form, obj_pk=obj)
    return render(request, template, context_of(user, subject, bound=bound), status=400)
