"""The reverse assessment's rating pages (反向考核): the "to rate" list of a community or street, with one-tap
ratings through HTMX, and the recent ratings. Thin: predicates say who, linli.assessment.exchanges says what
was exchanged (from reads that start at `restrict`), linli.assessment.actions_reverse writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import can_rate_reverse
from linli.cases.choices import Rating
from linli.cases.models import Case
from linli.orgs.models import Unit

from .actions_reverse import rate_exchange
from .exchanges import Exchange, rater_units, to_rate
from .forms_reverse import RateForm
from .models_reverse import ExchangeKind, ExchangeRating

WINDOW_DAYS = 60
RECENT = 20


@dataclass
class Row:
    exchange: Exchange
    case: Case
    unit: Unit
    kind_label: str
    rating: ExchangeRating | None = None
    error: str = ""

    @property
    def dom_id(self) -> str:
        return f"x-{self.exchange.case_id}-{self.exchange.kind}-{self.exchange.unit_id}"


def _pick_rater(request: HttpRequest, raters: list[Unit]) -> Unit | None:
    wanted = request.GET.get("unit") or request.POST.get("rater") or ""
    if wanted:
        if not (wanted.isascii() and wanted.isdigit()):
            raise Http404
        found = next((u for u in raters if u.pk == int(wanted)), None)
        if found is None:
            raise Http404
        return found
    return raters[0] if raters else None


def _rows(user: Any, exchanges: list[Exchange]) -> list[Row]:
    cases = Case.objects.restrict(user).filter(pk__in={e.case_id for e in exchanges}).only("pk", "title", "created_at")
    by_case = {c.pk: c for c in cases}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={e.unit_id for e in exchanges}).only("pk", "name")}
    return [
        Row(e, by_case[e.case_id], units[e.unit_id], str(ExchangeKind(e.kind).label))
        for e in exchanges
        if e.case_id in by_case
    ]


@login_required
@require_GET
def to_rate_list(request: HttpRequest) -> HttpResponse:
    """The exchanges of the last 60 days the user's unit has not rated, newest first, with the rating buttons."""
    if not can_rate_reverse(request.user):
        raise PermissionDenied
    raters = list(rater_units(request.user))
    rater = _pick_rater(request, raters)
    rows: list[Row] = []
    recent: list[ExchangeRating] = []
    if rater is not None:
        since = timezone.now() - datetime.timedelta(days=WINDOW_DAYS)
        rows = _rows(request.user, to_rate(request.user, rater, since))
        recent = list(
            ExchangeRating.objects.restrict(request.user)
            .filter(rater_unit=rater)
            .select_related("rated_unit", "case")
            .order_by("-at")[:RECENT]
        )
    context = {
        "raters": raters,
        "rater": rater,
        "rows": rows,
        "recent": recent,
        "scores": Rating.choices,
        "window": WINDOW_DAYS,
    }
    return render(request, "assessment/reverse/to_rate.html", context)


@login_required
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    """One tap: rate one exchange. With HTMX the row is swapped for its rated state (or its error)."""
    if not can_rate_reverse(request.user):
        raise PermissionDenied
    form = RateForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    case = Case.objects.restrict(request.user).filter(pk=data["case"]).select_related("place").first()
    unit = Unit.objects.filter(pk=data["unit"], is_active=True).first()
    if case is None or unit is None:
        raise Http404
    rater = request.POST.get("rater", "")
    rater = rater if rater.isascii() and rater.isdigit() else ""
    exchange = Exchange(case.pk, data["kind"], unit.pk, timezone.now())
    row = Row(exchange, case, unit, str(ExchangeKind(data["kind"]).label))
    try:
        row.rating = rate_exchange(
            request.user, case=case, rated_unit=unit, kind=data["kind"], score=data["score"], comment=data["comment"]
        )
    except ValidationError as error:
        row.error = "；".join(error.messages)
    back = reverse("assessment:reverse_to_rate") + (f"?unit={rater}" if rater else "")
    if request.headers.get("HX-Request"):
        context = {"row": row, "scores": Rating.choices, "rater_pk": rater}
        return render(request, "assessment/reverse/_exchange_row.html", context)
    if row.error:
        messages.error(request, row.error)
    else:
        messages.success(
            request,
            _("%(unit)s rated on case %(number)s: %(score)s")
            % {"unit": unit.name, "number": case.number, "score": Rating(data["score"]).label},
        )
    return redirect(back)
