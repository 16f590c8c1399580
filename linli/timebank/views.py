"""The resident's time bank (phone-first): balances, movements, exchanges to answer, the reward shelf; the
exchange form; statements, certificates and the public check of a certificate's code.

Thin: each page reads through linli.timebank.queries (scoped) and writes through the actions, which check
their predicates; a refused action comes back as a message and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import can_read_statement, is_government_staff
from linli.core.crypto import digest
from linli.core.masking import mask_name
from linli.core.validation import normalize_phone
from linli.people.linking import person_for
from linli.people.models import Person

from . import queries, statements
from .actions import community_of
from .actions_exchange import confirm_exchange, decline_exchange, record_exchange
from .actions_shelf import redeem
from .choices import Currency
from .forms import ExchangeForm
from .models import Exchange, Reward


def _refused(request: HttpRequest, exc: Exception) -> None:
    text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("Refused"))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    person = queries.own_person(user)
    context: dict[str, Any] = {
        "person": person,
        "year": timezone.localdate().year,
        "staff": is_government_staff(user),
    }
    if person is not None:
        held = queries.balances(user, person)
        context.update(
            hours=statements.hours(held.get(Currency.MINUTES, 0)),
            minutes=held.get(Currency.MINUTES, 0),
            points=held.get(Currency.POINTS, 0),
            movements=queries.movements(user, person),
            waiting=[(x, mask_name(_other(x, person).name)) for x in queries.waiting_for(user, person)],
            proposed=[(x, mask_name(_other(x, person).name)) for x in queries.proposed_by_me(user, person)],
            shelf=queries.home_shelf(user, person),
        )
    return render(request, "timebank/mine.html", context)


def _other(exchange: Exchange, person: Person) -> Person:
    return exchange.receiver if exchange.giver_id == person.pk else exchange.giver


@login_required
def exchange_new(request: HttpRequest) -> HttpResponse:
    person = queries.own_person(request.user)
    if person is None:
        raise Http404
    form = ExchangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other_pk = person_for(digest(normalize_phone(form.cleaned_data["phone"])))
        other = Person.objects.select_related("place").filter(pk=other_pk).first() if other_pk else None
        if other is None or other.pk == person.pk:
            form.add_error("phone", _("No other resident is registered with this number"))
        else:
            giver, receiver = (person, other) if form.cleaned_data["side"] == "giver" else (other, person)
            try:
                record_exchange(
                    request.user,
                    giver=giver,
                    receiver=receiver,
                    minutes=form.cleaned_data["minutes"],
                    memo=form.cleaned_data["memo"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Sent: it counts once the other side confirms it"))
                return redirect("timebank:mine")
    return render(request, "timebank/exchange_form.html", {"form": form})


@login_required
@require_POST
def exchange_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    exchange = get_object_or_404(Exchange.objects.restrict(request.user).select_related("giver", "receiver"), pk=pk)
    act = {"confirm": confirm_exchange, "decline": decline_exchange}.get(verb)
    if act is None:
        raise Http404
    try:
        act(request.user, exchange)
        messages.success(request, _("Confirmed") if verb == "confirm" else _("Declined"))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("timebank:mine")


@login_required
@require_POST
def redeem_reward(request: HttpRequest, pk: int) -> HttpResponse:
    reward = get_object_or_404(Reward.objects.restrict(request.user), pk=pk)
    person = queries.own_person(request.user)
    if person is None:
        raise Http404
    try:
        quantity = int(request.POST.get("quantity", "1"))
        redeem(request.user, person=person, reward=reward, quantity=quantity)
        messages.success(request, _("Redeemed: collect it at the community office"))
    except ValueError:
        messages.error(request, _("Enter a whole number"))
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    return redirect("timebank:mine")


def _statement_person(request: HttpRequest, pk: int) -> Person:
    person = Person.objects.select_related("place").filter(pk=pk).first()
    if person is None or not can_read_statement(request.user, person):
        raise Http404  # the same answer for "no such person" and "not yours": nothing to learn from it
    return person


def _year(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    return year


@login_required
@require_GET
def statement(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    person = _statement_person(request, pk)
    st = statements.statement(person, _year(year))
    code = statements.certificate_code(person.pk, year, st.service_minutes)
    return render(
        request,
        "timebank/statement.html",
        {
            "person": person,
            "st": st,
            "figures": statements.figure_rows(st),
            "lines": [(x, statements.source_label(x.source)) for x in st.lines],
            "service_hours": statements.hours(st.service_minutes),
            "code": code,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        },
    )


@login_required
@require_GET
def statement_xlsx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    person = _statement_person(request, pk)
    st = statements.statement(person, _year(year))
    response = HttpResponse(
        statements.statement_xlsx(st, person.name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="timebank-{person.pk}-{year}.xlsx"'
    return response


@login_required
@require_GET
def certificate(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    person = _statement_person(request, pk)
    st = statements.statement(person, _year(year))
    code = statements.certificate_code(person.pk, year, st.service_minutes)
    community = community_of(person)
    pdf = statements.certificate_pdf(
        name=person.name,
        community=community.name if community else person.place.name,
        year=year,
        minutes=st.service_minutes,
        code=code,
        verify_url=request.build_absolute_uri(reverse("timebank:verify", args=[code])),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{person.pk}-{year}.pdf"'
    return response


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is this certificate genuine? A masked name, the community, the year and the hours; nothing else.
    A genuine code whose hours no longer match the ledger (a credit reversed since) is said to be outdated."""
    found = statements.read_code(code)
    context: dict[str, Any] = {"genuine": False}
    if found is not None:
        person_id, year, minutes = found
        person = Person.objects.select_related("place").filter(pk=person_id).first()
        if person is not None:
            community = community_of(person)
            current = statements.statement(person, year).service_minutes
            context.update(
                genuine=True,
                current=current == minutes,
                name=mask_name(person.name),
                community=community.name if community else "",
                year=year,
                hours=statements.hours(minutes),
            )
    return render(request, "timebank/verify.html", context, status=200 if context["genuine"] else 404)
