"""The case pages: queues, search, export, the case page, its photos and the reporter's contact. Thin: reads
come from linli.cases.queries, writes from linli.cases.actions (the action forms are in views_actions)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_export_cases, is_government_staff
from linli.core.http import table_download
from linli.orgs.queries import matters_for, units_for
from linli.places.queries import places_for

from . import actions, queries
from .forms import SearchForm
from .page_actions import Abilities
from .pages import case_context, reporter
from .presenting import resident_state


def _words(user: Any, rows: list[Any]) -> list[Any]:
    """Each row's state as this reader should read it: the resident in plain words, staff by the book."""
    staff = is_government_staff(user)
    for case in rows:
        case.words = case.get_state_display() if staff else resident_state(case)
    return rows


def _params(request: HttpRequest) -> list[tuple[str, str]]:
    """The query string without its page marker: the filters a next page or an export keeps."""
    return [(k, v) for k, values in request.GET.lists() for v in values if k != "after"]


def _next_link(request: HttpRequest, after: int | None) -> str:
    return "?" + urlencode([*_params(request), ("after", str(after))]) if after is not None else ""


def _first_link(request: HttpRequest) -> str:
    return "?" + urlencode(_params(request))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The queues: one tab per list of work this person has (DESIGN §1's roles, through their grants)."""
    user = request.user
    shown = queries.queues_for(user)
    name = request.GET.get("tab") or queries.default_queue(user)
    if name not in queries.BY_NAME:
        raise Http404
    if name not in {q.name for q in shown}:
        raise PermissionDenied
    page = queries.keyset(queries.queue_cases(user, name), request.GET.get("after"))
    return render(
        request,
        "cases/queues.html",
        {
            "tabs": shown,
            "tab": name,
            "staff_search": is_government_staff(user),
            "page": page,
            "rows": _words(user, page.rows),
            "next_link": _next_link(request, page.next_after),
            "first_link": _first_link(request) if page.after else "",
            "can_export": can_export_cases(user),
            "export_query": urlencode({"tab": name}),
        },
    )


def search_form(request: HttpRequest) -> SearchForm:
    user = request.user
    places = places_for(user)
    # Units the user may read: routing targets they may send work to but not read stay in routing forms.
    units = units_for(user).order_by("kind", "code")
    return SearchForm(
        request.GET or None,
        matters=matters_for(user).order_by("code"),
        places=places,
        place_choices=places.filter(level__in=("street", "community")).order_by("path")[:500],
        units=units,
    )


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = search_form(request)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = queries.keyset(queries.for_list(queries.search_cases(user, filters)), request.GET.get("after"))
    context = {
        "form": form,
        "page": page,
        "rows": _words(user, page.rows) if not form.errors else [],
        "next_link": _next_link(request, page.next_after),
        "first_link": _first_link(request) if page.after else "",
        "can_export": can_export_cases(user) and not form.errors,
        "export_query": urlencode(_params(request)),
    }
    template = "cases/_results.html" if request.htmx else "cases/search.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    from .exports import export_cases

    user = request.user
    if not can_export_cases(user):
        raise PermissionDenied
    tab = request.GET.get("tab", "")
    if tab and tab not in {q.name for q in queries.queues_for(user)}:
        raise Http404
    form = search_form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "cases/search.html", {"form": form, "rows": []}, status=400)
    filters = form.cleaned_data if form.is_bound else {}
    data = export_cases(user, filters=filters, tab=tab)
    return table_download(data, "xlsx", f"cases-{tab or 'search'}")


def _case_or_404(request: HttpRequest, pk: int) -> Any:
    case = queries.case_for_page(request.user, pk)
    if case is None:
        raise Http404
    return case


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    return render(request, "cases/case.html", case_context(request.user, case))


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The reporter's contact in the clear (logged); a fragment for htmx, else the whole page again."""
    case = _case_or_404(request, pk)
    revealed = actions.reveal_reporter(request.user, case)
    if request.htmx:  # type: ignore[attr-defined]
        ab = Abilities(request.user, case)
        return render(request, "cases/_reporter.html", {"reporter": reporter(case, ab, revealed), "case": case})
    case = _case_or_404(request, pk)
    return render(request, "cases/case.html", case_context(request.user, case, revealed=revealed))


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A case photo, served only to someone who may read its case (never a public media URL)."""
    found = queries.photo_for(request.user, pk)
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response
