"""Care visit pages (关爱走访, DESIGN §7): the people due a visit, on a list and a map; the visit form a grid
worker fills in on a phone; each person's visit history and its photos; the visit rules.

Thin: each page checks a named predicate, reads through linli.people.queries_care (which starts from
`restrict`), and writes through linli.people.actions.care. A grid worker goes home → list → form and lands
on the list again with the saved visit's message: three screens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from linli.accounts.predicates import (
    can_edit_care_rules,
    can_log_visit,
    can_read_registry,
    can_visit_people,
)
from linli.core.photos import FORMATS
from linli.core.validation import check_plain_text
from linli.places.choices import PlaceLevel
from linli.places.models import Place
from linli.places.queries import places_for

from .actions.care import log_visit, rule_days, set_care_rule
from .choices import DEFAULT_VISIT_DAYS, CareTagKind, VisitOutcome
from .models import CareVisit, Person
from .queries_care import (
    DUE_FILTERS,
    MAP_LIMIT,
    care_people,
    care_person,
    care_rows,
    due_counts,
    map_data,
)

PAGE_SIZE = 50
HISTORY_PAGE = 30
GRID_CHOICES = 200
# Stored visit photos were re-encoded by linli.core.photos: their extension names their type.
PHOTO_TYPES = {extension: content_type for content_type, extension in FORMATS.values()}


def _require(request: HttpRequest, allowed: Callable[[Any], bool]) -> None:
    if not allowed(request.user):
        raise PermissionDenied


@dataclass
class Filters:
    due: str
    tag: str
    grid: Place | None

    def query(self, **changes: str) -> str:
        """The filters as a query string, with some changed (for tabs, pages and the map link)."""
        values = {"due": self.due, "tag": self.tag, "grid": str(self.grid.pk) if self.grid else ""}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v and not (k == "due" and v == "all")})


def _filters(request: HttpRequest) -> Filters:
    due = request.GET.get("due", "all")
    tag = request.GET.get("tag", "")
    wanted = request.GET.get("grid", "")
    grid = None
    if wanted:
        if not (wanted.isascii() and wanted.isdigit()):
            raise Http404
        grid = get_object_or_404(places_for(request.user).filter(level=PlaceLevel.GRID), pk=int(wanted))
    return Filters(due=due if due in DUE_FILTERS else "all", tag=tag if tag in CareTagKind.values else "", grid=grid)


def _list_context(request: HttpRequest, filters: Filters) -> dict[str, Any]:
    grids = list(
        places_for(request.user).filter(level=PlaceLevel.GRID).order_by("code").only("id", "name")[:GRID_CHOICES]
    )
    due_tabs = [("all", _("All")), ("overdue", _("Overdue")), ("week", _("Due within 7 days"))]
    return {
        "filters": filters,
        "tabs": [(code, label, filters.query(due=code)) for code, label in due_tabs],
        "tag_choices": CareTagKind.choices,
        "grids": grids if len(grids) > 1 else [],
        "counts": due_counts(request.user),
        "can_visit": can_visit_people(request.user),
    }


@login_required
@require_GET
def care_list(request: HttpRequest) -> HttpResponse:
    """The people due a visit in the user's places, overdue first (grid workers: "my people")."""
    _require(request, can_read_registry)
    filters = _filters(request)
    people = care_people(request.user, due=filters.due, tag=filters.tag, grid=filters.grid)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _list_context(request, filters)
    context.update(page=page, rows=care_rows(list(page.object_list)), back=request.get_full_path())
    return render(request, "people/care/list.html", context)


@login_required
@require_GET
def care_map(request: HttpRequest) -> HttpResponse:
    """The same people on a map of their grid, by their house's position (or its nearest placed ancestor)."""
    _require(request, can_read_registry)
    filters = _filters(request)
    people = list(care_people(request.user, due=filters.due, tag=filters.tag, grid=filters.grid)[:MAP_LIMIT])
    rows = care_rows(people)
    context = _list_context(request, filters)
    context.update(map_data=map_data(request.user, rows, filters.grid), shown=len(rows), limit=MAP_LIMIT)
    return render(request, "people/care/map.html", context)


class VisitForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("How did the visit go?"),
        choices=VisitOutcome.choices,
        initial=VisitOutcome.WELL,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
    )

    def clean_note(self) -> str:
        return check_plain_text(self.cleaned_data["note"])

    def take_errors(self, error: ValidationError) -> None:
        """The action's refusal next to its field; the photo check names no field, but its codes say "photo"."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
            return
        for one in error.error_list:
            self.add_error("photo" if (one.code or "").startswith("photo") else None, one)


def _back(request: HttpRequest) -> str:
    """Where the form returns: the list it was opened from (its filters kept), never another site."""
    wanted = request.POST.get("back") or request.GET.get("back") or ""
    listing = reverse("people:care_list")
    parts = urlsplit(wanted)
    own = not (parts.scheme or parts.netloc) and parts.path == listing and "\\" not in wanted
    return wanted if own else listing


def _person_or_404(request: HttpRequest, pk: int, *, current: bool = True) -> Person:
    person = care_person(request.user, pk, current=current)
    if person is None:
        raise Http404
    return person


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The visit form, one screen on a phone: how it went, a note, a photo. Stored whole or not at all."""
    person = _person_or_404(request, pk)
    if not can_log_visit(request.user, person):
        raise PermissionDenied
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            log_visit(request.user, person, outcome=data["outcome"], note=data["note"], photo=data["photo"])
        except ValidationError as error:
            form.take_errors(error)
        else:
            person.refresh_from_db(fields=["next_visit_due"])
            name = care_rows([person])[0].name
            if person.next_visit_due:
                due = date_format(person.next_visit_due, "SHORT_DATE_FORMAT")
                text = _("Visit to %(name)s saved; the next is due on %(due)s.") % {"name": name, "due": due}
            else:
                text = _("Visit to %(name)s saved.") % {"name": name}
            messages.success(request, text)
            return redirect(_back(request))
    context = {"row": care_rows([person])[0], "form": form, "back": _back(request)}
    return render(request, "people/care/visit.html", context)


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every visit to one person, newest first, with the photos served through `photo` below."""
    _require(request, can_read_registry)
    person = _person_or_404(request, pk, current=False)
    visits = CareVisit.objects.restrict(request.user, "view").filter(person=person).select_related("visitor")
    page = Paginator(visits, HISTORY_PAGE).get_page(request.GET.get("page"))
    context = {
        "row": care_rows([person])[0],
        "page": page,
        "can_visit": person.left_on is None and can_log_visit(request.user, person),
        "back": reverse("people:care_list"),
    }
    return render(request, "people/care/history.html", context)


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A visit's photo, to someone who may read the person visited (never a public media URL)."""
    found = CareVisit.objects.restrict(request.user, "view").filter(pk=pk).exclude(photo="").first()
    if found is None:
        raise Http404
    extension = PurePosixPath(found.photo.name or "").suffix.lower()
    content_type = PHOTO_TYPES.get(extension, "application/octet-stream")
    response = FileResponse(found.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """How often each tag is visited: read by everyone who reads the registry, changed by district command."""
    _require(request, can_read_registry)
    editable = can_edit_care_rules(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        tag = request.POST.get("tag", "")
        typed = request.POST.get("days", "").strip()
        try:
            if typed and not (typed.isascii() and typed.isdigit()):
                raise ValidationError(_("Between 1 and 366 days, or none"))
            set_care_rule(request.user, tag, int(typed) if typed else None)
        except ValidationError as error:
            errors[tag] = error.messages
        else:
            label = CareTagKind(tag).label
            if typed:
                text = _("%(tag)s: a visit every %(days)s days.") % {"tag": label, "days": typed}
            else:
                text = _("%(tag)s: no regular visits.") % {"tag": label}
            messages.success(request, text)
            return redirect("people:care_rules")
    days = rule_days()
    rows = [
        {
            "tag": tag,
            "label": label,
            "days": days.get(tag),
            "default": DEFAULT_VISIT_DAYS.get(tag),
            "errors": errors.get(tag),
        }
        for tag, label in CareTagKind.choices
    ]
    unplaced = [m for tag, found in errors.items() if tag not in CareTagKind.values for m in found]
    context = {"rows": rows, "editable": editable, "errors": unplaced}
    return render(request, "people/care/rules.html", context)
