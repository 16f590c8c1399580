"""A venue's booking calendar: a week at a time (HTMX swaps the week on navigation), the booking form, and
confirming or cancelling. Thin, like views.py: predicates, scoped reads, writes through linli.resources.booking."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.accounts.predicates import can_book_venue, can_see_booking_details
from linli.accounts.scopes import can

from . import booking as booking_actions
from .choices import BookingState, ResourceKind
from .forms import BookingForm
from .queries import bookings_for, resources_for, week_bookings


def _monday(text: str | None) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text or "")
    except ValueError:
        day = timezone.localdate()
    return day - datetime.timedelta(days=day.weekday())


def _calendar_url(pk: int, day: datetime.date) -> str:
    return reverse("resources:calendar", kwargs={"pk": pk}) + f"?week={_monday(day.isoformat()).isoformat()}"


@login_required
@require_GET
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(resources_for(request.user), pk=pk)
    if venue.kind != ResourceKind.VENUE:
        return redirect("resources:detail", pk=venue.pk)  # only venues have a calendar
    monday = _monday(request.GET.get("week"))
    rows = week_bookings(request.user, venue, monday)
    may_change = can(request.user, "change", venue)
    days = []
    for offset in range(7):
        day = monday + datetime.timedelta(days=offset)
        entries = []
        for b in rows:
            start, end = timezone.localtime(b.starts_at), timezone.localtime(b.ends_at)
            if start.date() <= day <= end.date():
                shown = may_change or b.booked_by_id == request.user.pk or can_see_booking_details(request.user, b)
                entries.append(
                    {
                        "booking": b,
                        "start": start,
                        "end": end,
                        "shown": shown,
                        "may_confirm": may_change and b.state == BookingState.REQUESTED,
                        "may_cancel": may_change or b.booked_by_id == request.user.pk,
                    }
                )
        days.append({"day": day, "open": venue.open_on(day), "entries": entries})
    context = {
        "venue": venue,
        "days": days,
        "monday": monday,
        "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7),
        "form": BookingForm(initial={"day": max(monday, timezone.localdate())}),
        "may_book": can_book_venue(request.user, venue),
    }
    template = "resources/_week.html" if request.headers.get("HX-Request") else "resources/calendar.html"
    return render(request, template, context)


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_object_or_404(resources_for(request.user).filter(kind=ResourceKind.VENUE), pk=pk)
    form = BookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day, the times and the purpose"))
        return redirect("resources:calendar", pk=venue.pk)
    start, end = form.span()
    try:
        made = booking_actions.book_venue(
            request.user, venue, starts_at=start, ends_at=end, purpose=form.cleaned_data["purpose"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        confirmed = made.state == BookingState.CONFIRMED
        messages.success(request, _("Booked") if confirmed else _("Requested: the venue's steward will confirm"))
    return redirect(_calendar_url(venue.pk, form.cleaned_data["day"]))


BOOKING_ACTS = {"confirm": booking_actions.confirm_booking, "cancel": booking_actions.cancel_booking}


@login_required
@require_POST
def booking_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in BOOKING_ACTS:
        raise Http404
    found = get_object_or_404(bookings_for(request.user).select_related("resource"), pk=pk)
    try:
        BOOKING_ACTS[action](request.user, found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Confirmed") if action == "confirm" else _("Cancelled"))
    return redirect(_calendar_url(found.resource_id, timezone.localtime(found.starts_at).date()))
