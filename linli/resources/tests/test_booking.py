"""Venue bookings: overlaps refused (touching allowed), opening hours, the conflict message, the calendar,
and on PostgreSQL two parallel bookings of one slot."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from conftest import World
from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.resources.booking import book_venue, cancel_booking, confirm_booking
from linli.resources.choices import BookingState
from linli.resources.models import Booking, Resource

from .conftest import client_for, give_home, next_day

pytestmark = pytest.mark.django_db


def test_overlap_refused_touching_allowed(world: World, keeper: Any, venue: Resource) -> None:
    first = book_venue(keeper, venue, starts_at=next_day(9), ends_at=next_day(11), purpose="议事会")
    assert first.state == BookingState.CONFIRMED  # the community's staff book confirmed at once
    with pytest.raises(ValidationError) as refused:
        book_venue(keeper, venue, starts_at=next_day(10), ends_at=next_day(12), purpose="另一个会")
    assert "09:00–11:00" in " ".join(refused.value.messages)
    with pytest.raises(ValidationError):
        book_venue(keeper, venue, starts_at=next_day(8), ends_at=next_day(12), purpose="包住")
    before = book_venue(keeper, venue, starts_at=next_day(8), ends_at=next_day(9), purpose="之前")
    after = book_venue(keeper, venue, starts_at=next_day(11), ends_at=next_day(12), purpose="之后")
    assert before.pk and after.pk
    assert AuditEvent.objects.filter(action=AuditAction.BOOKING_CHANGED).count() == 3


def test_requests_hold_the_slot_and_cancelling_frees_it(world: World, keeper: Any, venue: Resource) -> None:
    grid = world.users[Role.GRID_WORKER]  # reads the street's library, may not change the venue: a request
    asked = book_venue(grid, venue, starts_at=next_day(14), ends_at=next_day(16), purpose="网格培训")
    assert asked.state == BookingState.REQUESTED
    with pytest.raises(ValidationError) as refused:
        book_venue(keeper, venue, starts_at=next_day(15), ends_at=next_day(17), purpose="冲突")
    text = " ".join(refused.value.messages)
    assert "14:00–16:00" in text and str(grid) in text  # the venue's keeper may see who booked
    confirm_booking(keeper, asked)
    asked.refresh_from_db()
    assert asked.state == BookingState.CONFIRMED
    with pytest.raises(ValidationError):
        confirm_booking(keeper, asked)
    cancel_booking(grid, asked)
    book_venue(keeper, venue, starts_at=next_day(15), ends_at=next_day(17), purpose="现在可以")


def test_the_booker_is_not_named_to_who_may_not_see_it(world: World, keeper: Any, venue: Resource) -> None:
    from linli.resources import actions
    from linli.resources.choices import ResourceKind

    resident = world.users[Role.RESIDENT]
    resident = give_home(world, keeper, resident)
    actions.create_resource(
        keeper, kind=ResourceKind.RESIDENT_UNIT, place=venue.place, name="驻区单位", contact_user=resident
    )
    book_venue(keeper, venue, starts_at=next_day(9), ends_at=next_day(11), purpose="秘密议题")
    with pytest.raises(ValidationError) as refused:
        book_venue(resident, venue, starts_at=next_day(10), ends_at=next_day(12), purpose="活动")
    text = " ".join(refused.value.messages)
    assert "09:00–11:00" in text and str(keeper) not in text
    page = client_for(resident).get(
        reverse("resources:calendar", args=[venue.pk]), {"week": next_day(9).date().isoformat()}
    )
    body = page.content.decode()
    assert "秘密议题" not in body and str(keeper) not in body and "09:00" in body


def test_outside_opening_hours_refused(world: World, keeper: Any, venue: Resource) -> None:
    for start, end in ((7, 9), (19, 21), (6, 7)):
        with pytest.raises(ValidationError):
            book_venue(keeper, venue, starts_at=next_day(start), ends_at=next_day(end), purpose="早会")
    book_venue(keeper, venue, starts_at=next_day(8), ends_at=next_day(20), purpose="全天")
    Resource.objects.filter(pk=venue.pk).update(opening_days="0")
    day = next_day(10, days=1)
    offset = (7 - day.weekday()) % 7 or 7  # a day that is not Monday
    closed = next_day(10, days=1 + (offset if day.weekday() == 0 else 0))
    if closed.weekday() != 0:
        with pytest.raises(ValidationError):
            book_venue(keeper, venue, starts_at=closed, ends_at=closed.replace(hour=11), purpose="闭馆日")
    with pytest.raises(ValidationError):
        book_venue(keeper, venue, starts_at=next_day(11, days=-2), ends_at=next_day(12, days=-2), purpose="过去")


def test_residents_cannot_book(world: World, keeper: Any, venue: Resource) -> None:
    from django.core.exceptions import PermissionDenied

    resident = world.users[Role.RESIDENT]
    resident = give_home(world, keeper, resident)
    with pytest.raises(PermissionDenied):
        book_venue(resident, venue, starts_at=next_day(9), ends_at=next_day(10), purpose="x")


def test_calendar_pages_and_htmx_navigation(world: World, keeper: Any, venue: Resource) -> None:
    booked = book_venue(keeper, venue, starts_at=next_day(9), ends_at=next_day(10), purpose="周会")
    client = client_for(keeper)
    url = reverse("resources:calendar", args=[venue.pk])
    page = client.get(url, {"week": next_day(9).date().isoformat()})
    assert page.status_code == 200 and f'data-booking="{booked.pk}"' in page.content.decode()
    partial = client.get(url, {"week": next_day(9).date().isoformat()}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="week">') and "周会" in partial
    response = client.post(
        reverse("resources:book", args=[venue.pk]),
        {"day": next_day(9).date().isoformat(), "start": "09:30", "end": "10:30", "purpose": "撞车"},
    )
    assert response.status_code == 302
    assert not Booking.objects.filter(purpose="撞车").exists()
    client.post(reverse("resources:booking_act", args=[booked.pk, "cancel"]))
    booked.refresh_from_db()
    assert booked.state == BookingState.CANCELLED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
def test_two_parallel_bookings_of_one_slot(world: World, keeper: Any, venue: Resource) -> None:
    results: list[str] = []
    barrier = threading.Barrier(2)

    def attempt(n: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            book_venue(keeper, venue, starts_at=next_day(9), ends_at=next_day(11), purpose=f"并发{n}")
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert Booking.objects.filter(resource=venue).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_database_refuses_an_overlap_written_past_the_action(world: World, keeper: Any, venue: Resource) -> None:
    from django.db import IntegrityError, transaction

    Booking.objects.create(resource=venue, starts_at=next_day(9), ends_at=next_day(11), purpose="a", booked_by=keeper)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            resource=venue, starts_at=next_day(10), ends_at=next_day(12), purpose="b", booked_by=keeper
        )
    Booking.objects.create(resource=venue, starts_at=next_day(11), ends_at=next_day(12), purpose="c", booked_by=keeper)
