"""The staff desk of a vote: turnout (who has voted and through which channel, never how), paper ballots
entered twice, ballots recorded in person at the meeting, and the co-owners' caster or a proxy.

Turnout is read by the vote's place staff (`can_read_turnout`); recording by those who run it
(`can_record_ballots`). A vote out of the user's scope is a 404, a user without the predicate a 403."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_read_turnout, can_record_ballots
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.crypto import digest
from linli.core.http import table_download
from linli.core.masking import mask_name
from linli.core.tabular import write_xlsx
from linli.core.validation import normalize_mobile
from linli.people.models import Person

from . import queries_ballots as q
from .actions import ballots
from .forms_ballots import BallotForm, CasterForm, PaperForm, ProxyForm, RollSearchForm
from .models_votes import RollEntry, Vote
from .views_ballots import errors_into


def _vote(request: HttpRequest, pk: int, may: Any) -> Vote:
    vote = q.vote_for(request.user, pk)
    if vote is None:
        raise Http404
    if not may(request.user, vote):
        raise PermissionDenied
    return vote


def _search(request: HttpRequest) -> tuple[RollSearchForm, str, bool]:
    form = RollSearchForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["q"].strip(), form.cleaned_data["not_voted"]
    return form, "", False


@login_required
def turnout(request: HttpRequest, vote: int) -> HttpResponse:
    found = _vote(request, vote, can_read_turnout)
    form, search, not_voted = _search(request)
    figures = q.turnout(request.user, found, only_not_voted=not_voted, search=search)
    context = {
        "vote": found,
        "form": form,
        "turnout": figures,
        "may_record": can_record_ballots(request.user, found),
        "owners_share": f"{figures.voted_owners / figures.owners * 100:.1f}%" if figures.owners else "—",
        "area_share": f"{figures.voted_area / figures.area * 100:.1f}%" if figures.area else "—",
    }
    return render(request, "participation/ballots/turnout.html", context)


@login_required
def turnout_export(request: HttpRequest, vote: int) -> HttpResponse:
    """The not-yet-voted list as Excel, to chase turnout: masked voters, parts, area. Logged."""
    found = _vote(request, vote, can_read_turnout)
    figures = q.turnout(request.user, found, only_not_voted=True)
    rows = [(row.voter, row.houses, row.area) for row in figures.rows]
    data = write_xlsx([_("Voter"), _("Exclusive parts"), _("Area (m²)")], rows, title=_("Not yet voted"))
    audit.record(
        AuditAction.PERSONS_EXPORTED,
        actor=request.user,
        target=found,
        data={"vote": found.pk, "list": "not_yet_voted", "rows": len(rows)},
    )
    return table_download(data, "xlsx", f"vote-{found.pk}-not-yet-voted")


def _picked(request: HttpRequest, vote: Vote) -> RollEntry | None:
    pk = request.POST.get("entry") or request.GET.get("entry")
    return q.entry_for_staff(request.user, vote, pk) if pk else None


def _desk(request: HttpRequest, vote: int, mode: str) -> HttpResponse:
    """Paper entry, in-person recording and settling a disputed paper ballot share one page: pick the voter
    (search by part or name), then the choices."""
    found = _vote(request, vote, can_record_ballots)
    search_form, search, _not_voted = _search(request)
    entry = _picked(request, found)
    questions = list(found.questions.order_by("position"))
    form_class = PaperForm if mode == "paper" else BallotForm
    form = form_class(questions, request.POST or None) if entry is not None else None
    if request.method == "POST" and form is not None and entry is not None and form.is_valid():
        try:
            response = _run(request, found, entry, form, mode)
        except ValidationError as error:
            errors_into(form, error)
        else:
            return response
    candidates = q.turnout(request.user, found, only_not_voted=True, search=search).rows if search else []
    disputed = []
    if mode == "paper":
        conflicts = q.roll_for(request.user, found).filter(paper_entries__conflict=True, voted_channel="").distinct()
        disputed = [(e.pk, q.mask_voter(e.label), "、".join(str(h) for h in e.houses or [])) for e in conflicts]
    context = {
        "vote": found,
        "mode": mode,
        "search_form": search_form,
        "candidates": candidates,
        "disputed": disputed,
        "entry": entry,
        "voter": q.mask_voter(entry.label) if entry else "",
        "form": form,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "participation/ballots/desk.html", context, status=status)


def _run(request: HttpRequest, vote: Vote, entry: RollEntry, form: Any, mode: str) -> HttpResponse:
    here = reverse(f"participation:{'paper_entry' if mode != 'in_person' else 'in_person'}", args=[vote.pk])
    if mode == "in_person":
        receipt = ballots.record_in_person(request.user, entry, form.choices())
        response = render(request, "participation/ballots/receipt.html", {"vote": vote, "receipt": receipt})
        add_never_cache_headers(response)
        return response
    if mode == "resolve":
        ballots.resolve_paper(request.user, entry, form.choices())
        messages.success(request, _("Settled after checking the paper: the ballot is counted"))
        return redirect(here)
    outcome = ballots.enter_paper(request.user, entry, form.choices(), sheet=form.cleaned_data.get("sheet", ""))
    if outcome.status == ballots.WAITING:
        messages.success(request, _("First entry saved; waiting for a second colleague to enter the same sheet"))
    elif outcome.status == ballots.COUNTED:
        messages.success(request, _("Both entries match: the ballot is counted"))
    else:
        numbers = "、".join(str(n) for n in outcome.differing)
        messages.error(
            request,
            _("The two entries differ on questions %(numbers)s: a third person must check the paper")
            % {"numbers": numbers},
        )
    return redirect(here)


@login_required
def paper_entry(request: HttpRequest, vote: int) -> HttpResponse:
    return _desk(request, vote, "paper")


@login_required
def paper_resolve(request: HttpRequest, vote: int) -> HttpResponse:
    return _desk(request, vote, "resolve")


@login_required
def in_person(request: HttpRequest, vote: int) -> HttpResponse:
    return _desk(request, vote, "in_person")


@login_required
def proxy(request: HttpRequest, vote: int, entry: int) -> HttpResponse:
    """The co-owners' caster, or a proxy with the written authorisation, for one voter on the roll."""
    found = _vote(request, vote, can_record_ballots)
    picked = q.entry_for_staff(request.user, found, entry)
    if picked is None:
        raise Http404
    owners = [(o.person.pk, mask_name(o.person.name)) for o in picked.owners.select_related("person") if o.person]
    post = request.POST if request.method == "POST" else None
    caster_form = CasterForm(owners, post if post and post.get("form") == "caster" else None)
    proxy_form = ProxyForm(post if post and post.get("form") == "proxy" else None, request.FILES if post else None)
    for form in (caster_form, proxy_form):
        if form.is_bound and form.is_valid():
            try:
                _save_proxy(request, picked, form)
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(request, _("Recorded"))
                return redirect("participation:turnout", vote=found.pk)
    context = {
        "vote": found,
        "entry": picked,
        "voter": q.mask_voter(picked.label),
        "caster_form": caster_form,
        "proxy_form": proxy_form,
        "co_owners": len(owners) > 1,
        "caster": mask_name(picked.caster.name) if picked.caster else "",
    }
    bound = caster_form.is_bound or proxy_form.is_bound
    return render(request, "participation/ballots/proxy.html", context, status=400 if bound else 200)


def _save_proxy(request: HttpRequest, entry: RollEntry, form: Any) -> None:
    if isinstance(form, CasterForm):
        pk = form.cleaned_data["person"]
        person = entry.owners.filter(person_id=pk).first().person if pk else None  # type: ignore[union-attr]
        ballots.choose_caster(request.user, entry, person)
        return
    phone = form.cleaned_data["phone"].strip()
    person = None
    if phone:
        try:
            phone = normalize_mobile(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
        person = Person.objects.restrict(request.user, "view").filter(phone_digest=digest(phone)).first()
        if person is None:
            raise ValidationError({"phone": [_("Nobody with this mobile is registered in your area")]})
    ballots.record_proxy(
        request.user, entry, name=form.cleaned_data["name"], person=person, document=form.cleaned_data["document"]
    )
