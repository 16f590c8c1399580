"""The public board (公开诉求): answered requests, open to everyone, logged in or not.

DESIGN §1 gives residents "public requests (masked)". The board shows the same thing to everyone, so it
needs no scope: it reads only the fields in linli.cases.queries.BOARD_FIELDS (never a reporter, name,
phone, address, photo or map point), names places no finer than the community, and masks every run of 7
or more digits in the texts. Cases merged into another are shown once, on their primary."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from linli.orgs.models import Matter
from linli.places.models import Place

from . import queries
from .choices import CaseState, Rating
from .forms import BoardForm
from .presenting import mask_digits


def _form(request: HttpRequest) -> BoardForm:
    # The responsibility list is a public catalogue (Open311 publishes it as services); so are division names.
    return BoardForm(
        request.GET or None,
        places=Place.objects.filter(level__in=("street", "community"), is_active=True).order_by("path"),
        matters=Matter.objects.filter(is_active=True).order_by("code"),
    )


def _public(rows: list[dict[str, Any]], *, full: bool = False) -> list[dict[str, Any]]:
    where = queries.board_lineage(rows)
    out = []
    for row in rows:
        body = mask_digits(row["body"])
        out.append(
            {
                "pk": row["pk"],
                "title": mask_digits(row["title"]),
                "body": body if full or len(body) <= 140 else body[:140] + "…",
                "answer": mask_digits(row["answer"]),
                "state": CaseState(row["state"]).label,
                "closed": row["state"] == CaseState.CLOSED,
                "created_at": row["created_at"],
                "resolved_at": row["resolved_at"],
                "rating": Rating(row["rating"]).label if row["rating"] in Rating.values else "",
                "where": where.get(row["pk"], ""),
                "matter": row["matter__name"] or "",
                "unit": row["lead_unit__name"] or "",
            }
        )
    return out


def board(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    place = matter = None
    if form.is_bound and form.is_valid():
        place, matter = form.cleaned_data["place"], form.cleaned_data["matter"]
    page = queries.keyset(queries.board_cases(place, matter), request.GET.get("after"))
    params = [(k, v) for k, vs in request.GET.lists() for v in vs if k != "after"]
    return render(
        request,
        "cases/board.html",
        {
            "form": form,
            "rows": _public(page.rows),
            "page": page,
            "next_link": "?" + urlencode([*params, ("after", page.next_after)]) if page.next_after else "",
            "first_link": "?" + urlencode(params) if page.after else "",
        },
        status=400 if form.errors else 200,
    )


def board_case(request: HttpRequest, pk: int) -> HttpResponse:
    rows = list(queries.board_cases().filter(pk=pk))
    if not rows:
        raise Http404
    return render(request, "cases/board_case.html", {"row": _public(rows, full=True)[0]})
