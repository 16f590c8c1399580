"""The registry's pages for community and grid workers: the search box, the person, household and house
cards, the logged reveal, the subject's copy and the registration form. Thin: reads come from
linli.people.queries_pages, writes from linli.people.actions (the cards' action forms are in views_actions).

Every page asks `can_read_registry` first (403 without it); a record outside the reader's scope is a 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_give_subject_copy, can_read_registry, can_register_people
from linli.core.http import table_download

from . import queries_pages as q
from .actions import privacy, registry
from .forms import RegisterForm, RevealForm, SearchForm
from .page_actions import one_household, one_place
from .pages import house_context, household_context, identity_context, person_context
from .subject_copy import workbook


def reader(request: HttpRequest) -> Any:
    user = request.user
    if not can_read_registry(user):
        raise PermissionDenied
    return user


def _link(request: HttpRequest, page: int) -> str:
    kept = [(k, v) for k, values in request.GET.lists() for v in values if k != "page"]
    return "?" + urlencode([*kept, ("page", str(page))])


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = reader(request)
    form = SearchForm(request.GET or None)
    rows: list[Any] = []
    page = q.Page(rows=rows, number=1, has_next=False)
    if not form.is_bound or form.is_valid():
        d = form.cleaned_data if form.is_bound else {}
        found = q.search_persons(
            user,
            d.get("q", ""),
            tag=d.get("tag", ""),
            residency=d.get("residency", ""),
            status=d.get("status") or "current",
        )
        page = q.page_of(found, request.GET.get("page"))
        for row in q.shown(page.rows):
            row.home = q.address(row.place)
    context = {
        "form": form,
        "page": page,
        "next_link": _link(request, page.number + 1) if page.has_next else "",
        "previous_link": _link(request, page.number - 1) if page.number > 1 else "",
        "may_register": can_register_people(user),
    }
    template = "people/_results.html" if request.htmx else "people/search.html"  # type: ignore[attr-defined]
    # htmx swaps only a 200: a refused filter comes back as one, its errors in the results.
    return render(request, template, context, status=400 if form.errors and not request.htmx else 200)  # type: ignore[attr-defined]


def _person_or_404(request: HttpRequest, pk: int) -> Any:
    person = q.person_for_page(reader(request), pk)
    if person is None:
        raise Http404
    return person


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    found = _person_or_404(request, pk)
    return render(request, "people/person.html", person_context(request.user, found))


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The identity number and phone in the clear, one access-log row; a sensitive record asks why first.
    A fragment for htmx (which swaps only a 200, so a refusal comes back as one), else the whole card."""
    user = request.user
    found = _person_or_404(request, pk)
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = privacy.reveal_person(user, found, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error.messages)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "people/_identity.html", identity_context(user, found, revealed, form))
    context = person_context(user, found, revealed=revealed, reveal_form=form)
    return render(request, "people/person.html", context, status=200 if revealed else 400)


@login_required
@require_POST
def subject_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held on the person, in the clear, as Excel; exactly one access-log row per copy."""
    user = request.user
    found = _person_or_404(request, pk)
    if not can_give_subject_copy(user, found):
        raise PermissionDenied
    with transaction.atomic():
        data = workbook(user, found)
        privacy.record_subject_copy(user, found)
    return table_download(data, "xlsx", f"person-{found.pk}")


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register a person at a house (or a place in the user's community), optionally into a household there."""
    user = reader(request)
    if not can_register_people(user):
        raise PermissionDenied
    initial = {"place": request.GET.get("place", "")[:80], "household": request.GET.get("household", "")[:32]}
    form = RegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = _register(user, form.cleaned_data)
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Person registered"))
            return redirect("people:person", pk=created.pk)
    status = 400 if form.errors else 200
    return render(request, "people/register.html", {"form": form}, status=status)


@transaction.atomic
def _register(user: Any, d: dict[str, Any]) -> Any:
    place = one_place(user, d["place"], "place")
    household = one_household(user, place, d["household"], "household")
    fields = {k: d[k] for k in RegisterForm.base_fields if k not in ("place", "household", "relation")}
    created = registry.register_person(user, place=place, **fields)
    if household is not None:
        registry.move_person(user, created, household=household, relation=d["relation"] or "other_relative")
    return created


def errors_into(form: Any, error: ValidationError) -> None:
    """An action's refusal onto the form: under the field it names when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    found = q.household_for_page(reader(request), pk)
    if found is None:
        raise Http404
    return render(request, "people/household.html", household_context(request.user, found))


@login_required
def house(request: HttpRequest, pk: int) -> HttpResponse:
    found = q.house_for_page(reader(request), pk)
    if found is None:
        raise Http404
    return render(request, "people/house.html", house_context(request.user, found))
