"""Venue bookings: book, confirm, cancel. Atomic, named predicates, one BOOKING_CHANGED audit event each.

Two bookings of one venue that hold a slot (requested or confirmed, see choices.HOLDING_STATES) never
overlap. Each action that makes a booking hold a slot first locks the venue's row (select_for_update), so
two parallel requests for one slot are serialised and the second sees the first; on PostgreSQL an exclusion
constraint (migration 0002) refuses the overlap once more in the database itself. Intervals are half-open:
a booking ending at 10:00 and one starting at 10:00 do not clash.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from linli.accounts.predicates import (
    can_book_venue,
    can_cancel_booking,
    can_decide_booking,
    can_see_booking_details,
)
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from .choices import HOLDING_STATES, BookingState, ResourceKind
from .models import Booking, Resource

MAX_BOOKING = datetime.timedelta(hours=24)


def _locked_venue(pk: int) -> Resource:
    venue = Resource.objects.select_for_update().get(pk=pk)
    if venue.kind != ResourceKind.VENUE:
        raise ValidationError(_("Only venues can be booked"))
    return venue


def _span(start: datetime.datetime, end: datetime.datetime) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    day = date_format(start, "SHORT_DATE_FORMAT")
    return f"{day} {time_format(start, 'H:i')}–{time_format(end, 'H:i')}"


def _check_hours(venue: Resource, start: datetime.datetime, end: datetime.datetime) -> None:
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if not venue.open_on(local_start.date()):
        raise ValidationError(_("The venue is closed on that day"))
    if venue.opens_at is None or venue.closes_at is None:
        return  # no hours given: open all day on its days
    same_day = local_end.date() == local_start.date() or (
        local_end.date() == local_start.date() + datetime.timedelta(days=1) and local_end.time() == datetime.time(0)
    )
    end_time = datetime.time(23, 59, 59) if local_end.time() == datetime.time(0) else local_end.time()
    if not same_day or local_start.time() < venue.opens_at or end_time > venue.closes_at:
        raise ValidationError(
            _("The venue is open from %(opens)s to %(closes)s")
            % {"opens": time_format(venue.opens_at, "H:i"), "closes": time_format(venue.closes_at, "H:i")}
        )


def clash(viewer: Any, venue: Resource, start: datetime.datetime, end: datetime.datetime, exclude: int = 0) -> None:
    """Refuse when a booking holding a slot overlaps [start, end); the message names its time, and who
    booked it only to a viewer who may see that."""
    other = (
        Booking.objects.filter(resource=venue, state__in=HOLDING_STATES, starts_at__lt=end, ends_at__gt=start)
        .exclude(pk=exclude)
        .select_related("booked_by", "resource")
        .order_by("starts_at")
        .first()
    )
    if other is None:
        return
    message = _("The venue is already booked %(span)s") % {"span": _span(other.starts_at, other.ends_at)}
    if can_see_booking_details(viewer, other):
        message += " (" + _("by %(name)s") % {"name": str(other.booked_by)} + ")"
    raise ValidationError(message)


@transaction.atomic
def book_venue(actor: Any, venue: Resource, *, starts_at: Any, ends_at: Any, purpose: str) -> Booking:
    """Book `venue` for [starts_at, ends_at). Whoever may change the venue books it confirmed at once;
    everyone else's booking is a request that holds the slot until the steward confirms or cancels it."""
    venue = _locked_venue(venue.pk)
    if not can_book_venue(actor, venue):
        raise PermissionDenied(_("You cannot book this venue"))
    purpose = check_plain_text((purpose or "").strip())
    if not purpose:
        raise ValidationError({"purpose": [_("Say what the venue is booked for")]})
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        raise ValidationError(_("Give the start and the end"))
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError(_("Give the start and the end"))
    if ends_at <= starts_at:
        raise ValidationError(_("The booking must end after it starts"))
    if ends_at - starts_at > MAX_BOOKING:
        raise ValidationError(_("A booking covers at most one day"))
    if ends_at <= timezone.now():
        raise ValidationError(_("The booking is in the past"))
    _check_hours(venue, starts_at, ends_at)
    clash(actor, venue, starts_at, ends_at)
    state = BookingState.CONFIRMED if can_decide_for(actor, venue) else BookingState.REQUESTED
    try:
        with transaction.atomic():  # the savepoint keeps the outer transaction usable if PostgreSQL refuses
            booking = Booking.objects.create(
                resource=venue,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=purpose[:200],
                booked_by=actor,
                state=state,
                decided_by=actor if state == BookingState.CONFIRMED else None,
            )
    except IntegrityError:
        raise ValidationError(_("The venue is already booked at that time")) from None
    _record(actor, booking, "booked")
    if state == BookingState.REQUESTED and venue.steward_id and venue.steward_id != actor.pk:
        _tell_steward(venue, booking)
    return booking


def can_decide_for(actor: Any, venue: Resource) -> bool:
    from linli.accounts.scopes import can

    return can(actor, "change", venue)


@transaction.atomic
def confirm_booking(actor: Any, booking: Booking) -> Booking:
    venue = _locked_venue(booking.resource_id)
    booking = Booking.objects.select_for_update().select_related("resource").get(pk=booking.pk)
    if not can_decide_booking(actor, booking):
        raise PermissionDenied(_("You cannot confirm this booking"))
    if booking.state != BookingState.REQUESTED:
        raise ValidationError(_("Only a requested booking can be confirmed"))
    clash(actor, venue, booking.starts_at, booking.ends_at, exclude=booking.pk)
    booking.state = BookingState.CONFIRMED
    booking.decided_by = actor
    booking.save(update_fields=["state", "decided_by", "updated_at"])
    _record(actor, booking, "confirmed")
    return booking


@transaction.atomic
def cancel_booking(actor: Any, booking: Booking) -> Booking:
    _locked_venue(booking.resource_id)
    booking = Booking.objects.select_for_update().select_related("resource").get(pk=booking.pk)
    if not can_cancel_booking(actor, booking):
        raise PermissionDenied(_("You cannot cancel this booking"))
    if booking.state == BookingState.CANCELLED:
        raise ValidationError(_("This booking has already been cancelled"))
    booking.state = BookingState.CANCELLED
    booking.decided_by = actor
    booking.save(update_fields=["state", "decided_by", "updated_at"])
    _record(actor, booking, "cancelled")
    return booking


def _record(actor: Any, booking: Booking, what: str) -> None:
    audit.record(
        AuditAction.BOOKING_CHANGED,
        actor=actor,
        target=booking,
        data={
            "what": what,
            "venue": booking.resource_id,
            "state": booking.state,
            "starts_at": booking.starts_at.isoformat(),
            "ends_at": booking.ends_at.isoformat(),
        },
    )


def _tell_steward(venue: Resource, booking: Booking) -> None:
    from django.urls import reverse

    from linli.notices.actions import notify
    from linli.notices.choices import NoticeKind

    week = timezone.localtime(booking.starts_at).date().isoformat()
    notify(
        venue.steward,
        kind=NoticeKind.GENERAL,
        title=_("A venue booking awaits your confirmation"),
        body=_span(booking.starts_at, booking.ends_at),
        link=reverse("resources:calendar", kwargs={"pk": venue.pk}) + f"?week={week}",
    )
