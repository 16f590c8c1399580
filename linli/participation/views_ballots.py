"""The owner's pages: the votes they are on the roll of, and the ballot (choose → confirm → receipt).

The receipt is shown once, in the response to the confirming POST, and stored nowhere that names the voter
(not in the session, not in a message): a page that could show it again would have to keep it beside the
account. The response is marked no-store so that the browser's back button does not bring it back either."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from . import queries_ballots as q
from .actions.ballots import cast_online
from .choices import VoteState
from .forms_ballots import BallotForm


@login_required
def my_votes(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/ballots/my_votes.html", {"rows": q.my_votes(request.user)})


def errors_into(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@login_required
def cast(request: HttpRequest, vote: int, entry: int) -> HttpResponse:
    chosen = next((e for e in q.castable_entries(request.user, vote) if e.pk == entry), None)
    if chosen is None:
        raise Http404
    found = chosen.vote
    questions = list(found.questions.order_by("position"))
    form = BallotForm(questions, request.POST or None)
    now = timezone.now()
    open_now = found.state == VoteState.OPEN and found.opens_at <= now < found.closes_at
    context: dict[str, Any] = {"vote": found, "entry": chosen, "form": form, "confirming": False, "open_now": open_now}
    step = request.POST.get("step", "")
    if request.method == "POST" and form.is_valid() and step != "edit":
        if step != "confirm":
            context["confirming"] = True
            context["chosen"] = form.chosen()
        else:
            try:
                receipt = cast_online(request.user, found, form.choices(), entry=chosen)
            except ValidationError as error:
                errors_into(form, error)
            else:
                response = render(request, "participation/ballots/receipt.html", {"vote": found, "receipt": receipt})
                add_never_cache_headers(response)
                return response
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "participation/ballots/cast.html", context, status=status)
