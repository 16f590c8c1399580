"""The volunteer's pages, phone first: sign up as a volunteer, the activities of one's community, an
activity with its sign-up, my activities with hours and balance, and the check-in page a QR code opens.

Thin: each page reads through linli.volunteers.queries (which starts from `restrict`) and writes through
linli.volunteers.actions; a refused step comes back as a message, never a half-done change.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_join_activity, can_organise_activity, can_sign_up_as_volunteer

from . import queries
from .actions import attendance, volunteers
from .forms import SignupForm
from .tokens import read_token


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def signup(request: HttpRequest) -> HttpResponse:
    if not can_sign_up_as_volunteer(request.user):
        raise PermissionDenied
    mine = queries.own_volunteer(request.user)
    if mine is not None:
        return redirect("volunteers:mine")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = volunteers.sign_up_volunteer(
                request.user,
                name=data["name"],
                community=data["community"],
                roles=data["roles"],
                languages=data["languages"],
                skills=data["skills"],
                availability=data["availability"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if volunteer.state == "pending":
                messages.success(request, _("Thank you! Your community will confirm your sign-up."))
            else:
                messages.success(request, _("Welcome, you are now a volunteer of your community."))
            return redirect("volunteers:mine")
    return render(request, "volunteers/signup.html", {"form": form})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    volunteer = queries.own_volunteer(request.user)
    upcoming, past = queries.my_signups(request.user) if volunteer else ([], [])
    minutes = queries.balance_minutes(volunteer)
    return render(
        request,
        "volunteers/mine.html",
        {
            "volunteer": volunteer,
            "upcoming": upcoming,
            "past": past,
            "hours": minutes // 60,
            "rest_minutes": minutes % 60,
            "may_sign_up": volunteer is None and can_sign_up_as_volunteer(request.user),
        },
    )


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    rows = list(queries.activities_for(request.user)[:200])
    return render(request, "volunteers/activities.html", {"rows": rows})


@login_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.activity_for(request.user, pk)
    volunteer = queries.own_volunteer(request.user)
    return render(
        request,
        "volunteers/activity.html",
        {
            "activity": item,
            "skills": list(item.skills.all()),
            "certificates": [c for c in item.certificates.split(",") if c],
            "signup": queries.own_signup(volunteer, item),
            "taken": attendance.confirmed_count(item),
            "may_join": can_join_activity(request.user, item),
            "organiser": can_organise_activity(request.user, item),
        },
    )


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.activity_for(request.user, pk)
    try:
        signup = attendance.sign_up(request.user, item)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        if signup.state == "confirmed":
            messages.success(request, _("You are signed up and confirmed."))
        else:
            messages.success(request, _("You are signed up; the organiser will confirm."))
    return redirect("volunteers:activity", pk=item.pk)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.activity_for(request.user, pk)
    signup = queries.own_signup(queries.own_volunteer(request.user), item)
    if signup is None:
        raise PermissionDenied
    try:
        attendance.cancel_signup(request.user, signup, reason=request.POST.get("reason", "")[:200])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteers:activity", pk=item.pk)


@login_required
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the code will do (opening a URL changes nothing); POST checks in or out."""
    try:
        code = read_token(token)
    except ValidationError as exc:
        return render(request, "volunteers/checkin.html", {"error": _errors(exc)}, status=400)
    item = queries.activity_for(request.user, code.activity_id)
    if request.method == "POST":
        try:
            signup = attendance.check_by_token(request.user, token)
        except (ValidationError, PermissionDenied) as exc:
            error = _errors(exc) if isinstance(exc, ValidationError) else str(exc)
            return render(request, "volunteers/checkin.html", {"error": error, "activity": item}, status=400)
        if code.direction == "in":
            messages.success(request, _("Checked in. Thank you for coming!"))
        else:
            messages.success(
                request, _("Checked out: %(minutes)d minutes recorded.") % {"minutes": signup.minutes or 0}
            )
        return redirect(reverse("volunteers:mine"))
    return render(request, "volunteers/checkin.html", {"activity": item, "direction": code.direction})
