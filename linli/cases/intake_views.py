"""The human intake channels' pages (DESIGN §4): resident, hotline operator, grid worker, bulk import.

Thin: each page checks its channel's predicate, lets its form check the shape of the input, and hands the
request to the one intake action, `submit_request`, which stores everything or nothing. The answer to a
stored request is rendered from the case the action returned, number first; a repeated POST with the same
idempotency key gets the same case back, so a double tap or a reload shows the same number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import (
    can_import_cases,
    can_report_found,
    can_submit_request,
    can_take_hotline_calls,
)
from linli.core.crypto import digest
from linli.core.http import table_download, upload_page
from linli.core.validation import normalize_phone
from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import Place
from linli.places.queries import resolve_address, resolve_point

from . import imports
from .actions.intake import ADDRESS_CUTOFF, resolve_place, submit_request
from .duplicates import duplicate_candidates
from .intake_forms import (
    FoundForm,
    HotlineForm,
    RequestForm,
    ResidentForm,
    map_outlines,
    matter_choices,
    picker_levels,
)
from .models import Case
from .preview import preview

# Text enough to judge likeness; the rest of a long message adds cost, not signal.
DUPLICATE_TEXT = 1000
CALLER_HISTORY = 20


def _require(request: HttpRequest, allowed: Callable[[Any], bool]) -> None:
    if not allowed(request.user):
        raise PermissionDenied


def _case_path(case: Case) -> str:
    # The case page belongs to the pages of the closed loop; linked by path so this module stands alone.
    return f"/cases/{case.pk}/"


def _intake_page(
    request: HttpRequest,
    form_class: type[RequestForm],
    template: str,
    *,
    again: str,
    map_on: bool = True,
    submit_in_preview: bool = False,
) -> HttpResponse:
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    step = request.POST.get("step", "")
    context: dict[str, Any] = {"form": form, "submit_in_preview": submit_in_preview, "step": step}
    if request.method == "POST" and form.is_valid():
        if step == "preview":
            context["preview"] = _preview(request, form)
        else:
            try:
                case, created = submit_request(request.user, form.submission())
            except ValidationError as error:
                form.take_errors(error)
            else:
                done = {"case": case, "created": created, "case_path": _case_path(case), "again": again}
                return render(request, "cases/intake/done.html", done)
    if step == "preview" and request.htmx:  # type: ignore[attr-defined]
        return render(request, "cases/intake/_preview.html", context)
    chosen = form.cleaned_data.get("place") if form.is_bound and hasattr(form, "cleaned_data") else None
    context["levels"] = picker_levels(request.user, chosen) if map_on else []
    context["map_data"] = map_outlines(request.user) if map_on else None
    return render(request, template, context)


def _preview(request: HttpRequest, form: RequestForm) -> dict[str, Any] | None:
    """The engine's promise for this request, after the same place checks the action will make."""
    sub = form.submission(with_photos=False)
    from_photos = False
    try:
        place = resolve_place(sub, [], request.user)
    except ValidationError as error:
        # Photos picked but no place given: the action reads the place from their location on submission.
        from_photos = request.POST.get("photo_count", "0") not in ("", "0") and "place" in getattr(
            error, "error_dict", {}
        )
        if not from_photos:
            form.take_errors(error)
            return None
        place = None
    promise = dict(
        preview(sub.title, sub.body, place=place, urgency=sub.urgency, channel=sub.channel),
        from_photos=from_photos,
    )
    if place is not None:
        local = [level for level, rank in LEVEL_RANK.items() if rank >= LEVEL_RANK[PlaceLevel.STREET]]
        names = Place.objects.filter(pk__in=place.ancestor_ids, level__in=local).order_by("depth")
        promise["place_label"] = " › ".join([*names.values_list("name", flat=True), place.name])
    return promise


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The resident's form, for phones first."""
    _require(request, can_submit_request)
    # The resident submits from the preview: they see who will handle it and by when before they send it.
    return _intake_page(
        request, ResidentForm, "cases/intake/report.html", again=reverse("intake:report"), submit_in_preview=True
    )


@login_required
def hotline(request: HttpRequest) -> HttpResponse:
    """The operator's entry: the caller's earlier requests and likely duplicates are shown while typing."""
    _require(request, can_take_hotline_calls)
    return _intake_page(request, HotlineForm, "cases/intake/hotline.html", again=reverse("intake:hotline"))


@login_required
def found(request: HttpRequest) -> HttpResponse:
    """主动发现 on patrol: photo, where, which matter; one screen to fill in, one to show the number."""
    _require(request, can_report_found)
    return _intake_page(request, FoundForm, "cases/intake/found.html", again=reverse("intake:found"), map_on=False)


@login_required
@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """The cascading picker, rendered again from the place just chosen (htmx swaps it in)."""
    _require(request, can_submit_request)
    wanted = request.GET.getlist("place")
    wanted = [w for w in wanted if w.isascii() and w.isdigit()][-1:]
    chosen = Place.objects.restrict(request.user, "pick").filter(pk=int(wanted[0])).first() if wanted else None
    return render(request, "cases/intake/_picker.html", {"levels": picker_levels(request.user, chosen)})


@login_required
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """The caller's earlier requests, found by the keyed digest of the number, among cases the operator may
    read. Nothing until the number is complete and valid."""
    _require(request, can_take_hotline_calls)
    cases = None
    try:
        phone = normalize_phone(request.GET.get("reporter_phone", "")[:20])
    except ValidationError:
        phone = ""
    if phone:
        cases = list(
            Case.objects.restrict(request.user, "view")
            .filter(reporter_phone_digest=digest(phone))
            .select_related("place")
            .order_by("-id")[:CALLER_HISTORY]
        )
    rows = [(c, _case_path(c)) for c in cases or []]
    return render(request, "cases/intake/_caller.html", {"rows": rows, "looked_up": bool(phone)})


@login_required
@require_POST
def duplicates(request: HttpRequest) -> HttpResponse:
    """Open cases like the one being typed, at the same street within days (read-only; POST for the text's
    length, as a query string would cut it)."""
    _require(request, can_take_hotline_calls)
    data = request.POST
    text = f"{data.get('title', '')} {data.get('body', '')}".strip()[:DUPLICATE_TEXT]
    place = _rough_place(request)
    wanted = data.get("matter", "")
    matter = matter_choices(request.user).filter(pk=int(wanted)).first() if wanted.isdigit() else None
    found_ = duplicate_candidates(text, place, matter, request.user) if len(text) >= 4 else []
    rows = [(c, _case_path(c.case)) for c in found_]
    return render(request, "cases/intake/_duplicates.html", {"rows": rows})


def _rough_place(request: HttpRequest) -> Place | None:
    """Where the request being typed is, as far as can be told yet; never an error while typing."""
    data = request.POST
    picked = [v for v in data.getlist("place") if v.isascii() and v.isdigit()][-1:]
    if picked:
        return Place.objects.restrict(request.user, "pick").filter(pk=int(picked[0])).first()
    try:
        lon, lat = float(data.get("longitude", "")), float(data.get("latitude", ""))
    except ValueError:
        lon = lat = None  # type: ignore[assignment]
    if lon is not None and lat is not None and -180 <= lon <= 180 and -90 <= lat <= 90:
        return resolve_point(lon, lat)
    address = data.get("address", "").strip()[:300]
    match = resolve_address(address) if address else None
    return match.place if match is not None and match.score >= ADDRESS_CUTOFF else None


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    """A backlog from Excel: every row or none, every bad row named by its number."""
    _require(request, can_import_cases)

    def run(upload: IO[bytes], name: str) -> str:
        result = imports.import_cases(request.user, upload, name)
        return _("Imported %(created)d requests; %(existing)d were imported before") % {
            "created": result.created,
            "existing": result.existing,
        }

    return upload_page(
        request,
        run=run,
        template="cases/intake/import.html",
        success_url=reverse("intake:import"),
        context={"columns": imports.COLUMNS, "max_rows": imports.MAX_ROWS},
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    _require(request, can_import_cases)
    return table_download(imports.template(), "xlsx", "requests-import")
