"""The case page's forms post here: one thin view finds the case and the form, and calls the action.

A refusal by the action comes back as the same page with the form open and its errors in the user's
language (status 400); a person without the predicate gets 403; a case or an object outside their scope 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import queries
from .page_actions import BY_NAME, Abilities, targets
from .pages import Bound, case_context


def errors_into(form: forms.Form, error: ValidationError) -> None:
    """An action's refusal onto the form: under the field it names when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, name: str, obj: int | None = None) -> HttpResponse:
    user: Any = request.user
    case = queries.case_for_page(user, pk)
    action = BY_NAME.get(name)
    if case is None or action is None or (obj is None) != (action.target is None):
        raise Http404
    if not action.may(Abilities(user, case)):
        # Without the predicate the form is not even offered; its choices (units the user may not route
        # to) would only turn a plain "not yours" into a confusing form error.
        raise PermissionDenied
    target = None
    if action.target is not None:
        target = targets(action, user, case).filter(pk=obj).first()
        if target is None:
            raise Http404
    form = action.make(user, case, request.POST, request.FILES)
    if form.is_valid():
        try:
            action.run(user, case, form.cleaned_data, target)
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, str(action.done))
            return redirect("cases:case", pk=case.pk)
    case = queries.case_for_page(user, pk) or case  # as it is now, for the page shown with the errors
    bound = Bound(name=name, form=form, obj_pk=obj)
    return render(request, "cases/case.html", case_context(user, case, bound=bound), status=400)
