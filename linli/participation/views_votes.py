"""The staff pages of owners' votes (DESIGN §8): the list, a new draft, a vote's page with its questions and
frozen roll (who is on it; turnout marks come with the casting pages), and the buttons that open, close or
cancel it. Thin: each page checks a named predicate, reads through linli.participation.queries_votes (which
starts from `restrict`) and writes through linli.participation.actions.votes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_follow_votes, can_run_vote, can_run_votes

from .actions import votes
from .choices import VoteState
from .forms_votes import CancelForm, VoteForm
from .queries_votes import roll_for, vote_for, vote_places_for, votes_for

PAGE_SIZE = 50
ROLL_PAGE = 100
SKIPPED_SHOWN = 20


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


@login_required
def vote_list(request: HttpRequest) -> HttpResponse:
    if not can_follow_votes(request.user):
        raise PermissionDenied
    page = Paginator(votes_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "participation/votes/list.html", {"page": page, "can_create": can_run_votes(request.user)})


@login_required
def vote_create(request: HttpRequest) -> HttpResponse:
    if not can_run_votes(request.user):
        raise PermissionDenied
    form = VoteForm(request.POST or None, places=vote_places_for(request.user))
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = votes.create_vote(
                request.user,
                place=data["place"],
                title=data["title"],
                description=data["description"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                questions=form.questions(),
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("The draft vote is saved. Open it when the questions are final."))
            return redirect("participation:vote_detail", pk=vote.pk)
    return render(request, "participation/votes/create.html", {"form": form, "errors": errors})


def _vote_or_404(request: HttpRequest, pk: int) -> Any:
    if not can_follow_votes(request.user):
        raise PermissionDenied
    vote = vote_for(request.user, pk)
    if vote is None:
        raise Http404
    return vote


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = _vote_or_404(request, pk)
    roll = Paginator(roll_for(request.user, vote), ROLL_PAGE).get_page(request.GET.get("page"))
    runs = can_run_vote(request.user, vote)
    context = {
        "vote": vote,
        "questions": list(vote.questions.order_by("position")),
        "roll": roll,
        "runs": runs,
        "can_open": runs and vote.state == VoteState.DRAFT,
        "can_close": runs and vote.state == VoteState.OPEN,
        "can_cancel": runs and vote.state in (VoteState.DRAFT, VoteState.OPEN),
        "cancel_form": CancelForm(),
        "skipped": request.session.pop(f"vote-{vote.pk}-skipped", None),
    }
    return render(request, "participation/votes/detail.html", context)


def _act(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    vote = _vote_or_404(request, pk)
    try:
        act(vote)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("participation:vote_detail", pk=vote.pk)


@login_required
@require_POST
def vote_open(request: HttpRequest, pk: int) -> HttpResponse:
    def act(vote: Any) -> None:
        frozen = votes.open_vote(request.user, vote)
        skipped = frozen.skipped
        if skipped.no_owner or skipped.no_area:
            # Shown once on the vote's page: which houses the roll left out, for the registry to be fixed.
            request.session[f"vote-{vote.pk}-skipped"] = {
                "no_owner": skipped.no_owner[:SKIPPED_SHOWN],
                "no_owner_count": len(skipped.no_owner),
                "no_area": skipped.no_area[:SKIPPED_SHOWN],
                "no_area_count": len(skipped.no_area),
            }

    return _act(request, pk, act, _("The vote is open and its roll is frozen."))


@login_required
@require_POST
def vote_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda vote: votes.close_vote(request.user, vote),
        _("The vote is closed and its result published."),
    )


@login_required
@require_POST
def vote_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    reason = form.data.get("reason", "")
    return _act(request, pk, lambda vote: votes.cancel_vote(request.user, vote, reason), _("The vote is cancelled."))
