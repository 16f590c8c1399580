"""Activities and standing posts: publish, sign up, confirm (or auto-confirm while places remain), cancel,
no-shows marked by the periodic job, counts on the organiser's list, shifts generated from a post's pattern."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.core import schedule
from linli.people.actions.registry import register_person
from linli.volunteers.actions.activities import generate_shifts, publish_post
from linli.volunteers.actions.attendance import cancel_signup, confirm_signup, mark_no_shows, sign_up
from linli.volunteers.actions.volunteers import sign_up_volunteer
from linli.volunteers.choices import ActivityKind, SignupState
from linli.volunteers.models import Activity, Signup
from linli.volunteers.queries import roster

pytestmark = pytest.mark.django_db


def _second_volunteer(town: Any, phone: str = "13911112222", name: str = "赵二") -> Any:
    user = create_user(None, username=f"r{phone}", role=Role.RESIDENT, phone=phone)
    register_person(town.keeper, place=town.building, name=name, residency="resident", phone=phone)
    sign_up_volunteer(user)
    return user


def test_publishing_is_for_the_community_keepers(town: Any, world: Any) -> None:
    with pytest.raises(PermissionDenied):
        town.activity(actor=world.outsiders[Role.COMMUNITY_WORKER])
    with pytest.raises(PermissionDenied):
        town.activity(actor=world.users[Role.GRID_WORKER])
    with pytest.raises(ValidationError):
        town.activity(place=world.places["110101002001001E01B01"])  # not in the community
    with pytest.raises(ValidationError):
        town.activity(title="<b>x</b>")


def test_sign_up_then_the_organiser_confirms(volunteer: Any, town: Any) -> None:
    activity = town.activity()
    signup = sign_up(town.resident, activity)
    assert signup.state == SignupState.APPLIED
    with pytest.raises(ValidationError):
        sign_up(town.resident, activity)  # once
    with pytest.raises(PermissionDenied):
        confirm_signup(town.resident, signup)
    confirm_signup(town.keeper, signup)
    signup.refresh_from_db()
    assert signup.state == SignupState.CONFIRMED and signup.confirmed_at


def test_auto_confirm_while_places_remain_then_full(volunteer: Any, town: Any) -> None:
    activity = town.activity(needed=1, auto_confirm=True)
    assert sign_up(town.resident, activity).state == SignupState.CONFIRMED
    other = _second_volunteer(town)
    with pytest.raises(ValidationError, match="full"):
        sign_up(other, activity)


def test_cancel_by_the_volunteer_and_again_sign_up(volunteer: Any, town: Any, world: Any) -> None:
    activity = town.activity(auto_confirm=True)
    signup = sign_up(town.resident, activity)
    with pytest.raises(PermissionDenied):
        cancel_signup(world.outsiders[Role.RESIDENT], signup)
    cancel_signup(town.resident, signup, reason="临时有事")
    signup.refresh_from_db()
    assert signup.state == SignupState.CANCELLED and signup.cancel_reason == "临时有事"
    assert sign_up(town.resident, activity).state == SignupState.CONFIRMED  # the same row again


def test_no_shows_are_marked_by_the_periodic_job_and_counted_on_the_list(volunteer: Any, town: Any) -> None:
    assert "volunteers.no_shows" in schedule.jobs() and "volunteers.certificates" in schedule.jobs()
    past = town.activity(start_in=-180, minutes=60, auto_confirm=True)
    Signup.objects.create(activity=past, volunteer=volunteer, state=SignupState.CONFIRMED)
    cancelled = town.activity(auto_confirm=True)
    cancel_signup(town.resident, sign_up(town.resident, cancelled))
    upcoming = town.activity(start_in=60, auto_confirm=True)
    sign_up(town.resident, upcoming)
    assert mark_no_shows() == 1
    assert Signup.objects.get(activity=past).state == SignupState.NO_SHOW
    assert mark_no_shows() == 0
    [row] = roster(town.keeper, upcoming)
    assert (row.cancellations, row.no_shows) == (1, 1)
    assert row.name == "王志愿"  # community staff need the name


def test_a_post_generates_its_shifts_once(volunteer: Any, town: Any) -> None:
    post = publish_post(
        town.keeper,
        community=town.community,
        place=town.building,
        kind="building_lead",
        title="1号楼楼门长值守",
        pattern=[{"weekday": 0, "start": "08:00", "end": "10:00"}, {"weekday": 3, "start": "18:00", "end": "20:00"}],
        needed=2,
        certificates=["first_aid"],
    )
    start = timezone.localdate() + datetime.timedelta(days=1)
    made = generate_shifts(town.keeper, post, weeks=2, start=start)
    assert len(made) == 4
    assert all(a.kind == ActivityKind.SHIFT and a.certificate_list == ["first_aid"] for a in made)
    assert {timezone.localtime(a.starts_at).weekday() for a in made} == {0, 3}
    assert generate_shifts(town.keeper, post, weeks=2, start=start) == []
    assert Activity.objects.filter(post=post).count() == 4
    with pytest.raises(ValidationError):
        publish_post(town.keeper, community=town.community, title="x", pattern=[{"weekday": 9}])
