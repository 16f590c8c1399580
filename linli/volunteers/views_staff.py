"""The community's pages: publish activities and standing posts, generate shifts, the sign-up list with
confirmations, cancellations and no-shows, the QR check-in code, attendance and hours, and the volunteer roll
(with certificates and the party record of linli.people).

Thin: every page checks a named predicate on an object read through linli.volunteers.queries and writes
through the actions.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.predicates import can_keep_volunteers, can_manage_volunteer, can_organise_activity
from linli.people.choices import Residency
from linli.people.models import Person

from . import matching, queries
from .actions import activities, attendance, volunteers
from .forms import (
    ActivityForm,
    AttendanceForm,
    CertificateForm,
    ConfirmApplicantForm,
    PartyForm,
    PostForm,
    RegisterForm,
    RegistryFilterForm,
)
from .models import Signup
from .tokens import make_token, token_seconds


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def publish(request: HttpRequest) -> HttpResponse:
    _require(can_keep_volunteers(request.user))
    form = ActivityForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = activities.publish_activity(
                request.user,
                community=d["community"],
                place=d["place"],
                title=d["title"],
                description=d["description"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                needed=d["needed"],
                skills=d["skills"],
                certificates=d["certificates"],
                auto_confirm=d["auto_confirm"],
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The activity is published."))
            return redirect("volunteers:roster", pk=item.pk)
    return render(request, "volunteers/publish.html", {"form": form, "what": "activity"})


@login_required
def publish_post(request: HttpRequest) -> HttpResponse:
    _require(can_keep_volunteers(request.user))
    form = PostForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            post = activities.publish_post(
                request.user,
                community=d["community"],
                place=d["place"],
                kind=d["kind"],
                title=d["title"],
                duties=d["duties"],
                pattern=form.pattern(),
                needed=d["needed"],
                skills=d["skills"],
                certificates=d["certificates"],
                auto_confirm=d["auto_confirm"],
            )
            activities.generate_shifts(request.user, post)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("The post is published with its shifts for the coming weeks."))
            return redirect("volunteers:post", pk=post.pk)
    return render(request, "volunteers/publish.html", {"form": form, "what": "post"})


@login_required
def posts(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/posts.html",
        {"rows": list(queries.posts_for(request.user)[:200]), "may_publish": can_keep_volunteers(request.user)},
    )


@login_required
def post(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.post_for(request.user, pk)
    organiser = can_organise_activity(request.user, item)
    if request.method == "POST":
        _require(organiser)
        try:
            made = activities.generate_shifts(request.user, item, weeks=int(request.POST.get("weeks") or 4))
        except (ValidationError, ValueError) as exc:
            messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else _("Enter a number of weeks"))
        else:
            messages.success(request, _("%(n)d shifts added.") % {"n": len(made)})
        return redirect("volunteers:post", pk=item.pk)
    shifts = queries.activities_for(request.user).filter(post=item)[:60]
    return render(request, "volunteers/post.html", {"post": item, "shifts": shifts, "organiser": organiser})


@login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.activity_for(request.user, pk)
    _require(can_organise_activity(request.user, item))
    rows = queries.roster(request.user, item)
    open_still = not item.cancelled and item.ends_at > timezone.now()
    return render(
        request,
        "volunteers/roster.html",
        {
            "activity": item,
            "rows": rows,
            "taken": attendance.confirmed_count(item),
            "form": AttendanceForm(),
            "matches": matching.suggest_for_activity(request.user, item) if open_still else None,
        },
    )


@login_required
@require_POST
def signup_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    signup = Signup.objects.restrict(request.user, "change").filter(pk=pk).first()
    if signup is None:
        raise Http404
    try:
        if step == "confirm":
            attendance.confirm_signup(request.user, signup)
        elif step == "cancel":
            attendance.cancel_signup(request.user, signup, reason=request.POST.get("reason", "")[:200])
        elif step == "attend":
            form = AttendanceForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Enter the minutes as a number"))
            attendance.confirm_attendance(
                request.user, signup, minutes=form.cleaned_data["minutes"], reason=form.cleaned_data["reason"]
            )
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("volunteers:roster", pk=signup.activity_id)


@login_required
def qr(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    """The code the organiser shows on site; it encodes a check-in URL with a short-lived signed token."""
    if direction not in ("in", "out"):
        raise Http404
    item = queries.activity_for(request.user, pk)
    _require(can_organise_activity(request.user, item))
    url = request.build_absolute_uri(reverse("volunteers:checkin", args=[make_token(item.pk, direction)]))
    # segno draws the SVG from our own URL (a signed token of base64 characters): no user text goes in it.
    svg = mark_safe(segno.make(url, error="m").svg_inline(scale=5))  # noqa: S308
    return render(
        request,
        "volunteers/qr.html",
        {"activity": item, "svg": svg, "url": url, "direction": direction, "seconds": token_seconds()},
    )


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    _require(can_keep_volunteers(request.user))
    form = RegistryFilterForm(request.GET or None)
    filters = queries.RegistryFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = queries.RegistryFilters(
            role=d["role"] or "", skill=d["skill"].pk if d["skill"] else None, party=d["party"], expiring=d["expiring"]
        )
    rows = [(v, queries.shown_name(request.user, v)) for v in queries.registry(request.user, filters)[:300]]
    return render(request, "volunteers/registry.html", {"form": form, "rows": rows})


@login_required
def volunteer(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.volunteer_for(request.user, pk)
    manage = can_manage_volunteer(request.user, item)
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "volunteer": item,
            "name": queries.shown_name(request.user, item),
            "certificates": list(item.certificates.order_by("kind", "-expires_on")),
            "party": queries.party_of(item),
            "skills": list(item.skills.all()),
            "manage": manage,
            "certificate_form": CertificateForm(),
            "party_form": PartyForm(),
            "confirm_form": ConfirmApplicantForm(request.user) if manage else None,
        },
    )


@login_required
@require_POST
def volunteer_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    from linli.people.actions.records import record_party_membership

    item = queries.volunteer_for(request.user, pk)
    _require(can_manage_volunteer(request.user, item))
    try:
        if step == "certificate":
            form = CertificateForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError(" ".join(str(e) for errs in form.errors.values() for e in errs))
            volunteers.record_certificate(request.user, item, **form.cleaned_data)
        elif step == "party":
            party = PartyForm(request.POST)
            if not party.is_valid() or item.person is None:
                raise ValidationError(_("Name the party organisation"))
            record_party_membership(request.user, item.person, **party.cleaned_data)
        elif step == "confirm":
            confirm = ConfirmApplicantForm(request.user, request.POST)
            if not confirm.is_valid():
                raise ValidationError(_("Pick the registry person or where they live"))
            person = None
            if confirm.cleaned_data["person"]:
                person = (
                    Person.objects.restrict(request.user, "change").filter(pk=confirm.cleaned_data["person"]).first()
                )
                if person is None:
                    raise ValidationError(_("No such person in your community"))
            place = confirm.cleaned_data["place"]
            if person is None and place is None:
                raise ValidationError(_("Pick the registry person or where they live"))
            extra = {} if person is not None else {"place": place, "residency": Residency.RESIDENT}
            volunteers.confirm_applicant(request.user, item, person=person, **extra)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("volunteers:volunteer", pk=item.pk)


@login_required
def register(request: HttpRequest) -> HttpResponse:
    _require(can_keep_volunteers(request.user))
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = Person.objects.restrict(request.user, "change").filter(pk=d["person"]).first()
        if person is None:
            form.add_error("person", _("No such person in your community"))
        else:
            try:
                item = volunteers.register_volunteer(
                    request.user,
                    person,
                    roles=d["roles"],
                    languages=d["languages"],
                    skills=d["skills"],
                    availability=d["availability"],
                    note=d["note"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
            else:
                messages.success(request, _("The volunteer is registered."))
                return redirect("volunteers:volunteer", pk=item.pk)
    return render(request, "volunteers/register.html", {"form": form})
