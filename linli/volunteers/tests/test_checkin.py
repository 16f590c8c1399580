"""Check in and out with the organiser's QR code (a short-lived signed token), or the organiser's confirmation;
minutes credited once to the time bank, and the ledger still proves itself."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from linli.accounts.choices import Role
from linli.timebank.models import Account, Transfer
from linli.volunteers.actions.attendance import check_by_token, confirm_attendance, sign_up
from linli.volunteers.choices import SignupState
from linli.volunteers.models import Signup
from linli.volunteers.queries import balance_minutes
from linli.volunteers.tokens import make_token

pytestmark = pytest.mark.django_db


def _running(town: Any, **fields: Any) -> Any:
    """An activity that began 10 minutes ago and lasts an hour, with the volunteer confirmed on it."""
    activity = town.activity(start_in=-10, minutes=60, auto_confirm=True, **fields)
    return activity


def _ledger_ok() -> None:
    out = StringIO()
    call_command("ledger_check", stdout=out)


def test_qr_check_in_and_out_credits_the_minutes_once(volunteer: Any, town: Any) -> None:
    activity = _running(town)
    signup = sign_up(town.resident, activity)
    with pytest.raises(ValidationError):
        check_by_token(town.resident, make_token(activity.pk, "out"))  # check in first
    check_by_token(town.resident, make_token(activity.pk, "in"))
    with pytest.raises(ValidationError):
        check_by_token(town.resident, make_token(activity.pk, "in"))
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=timezone.now() - datetime.timedelta(minutes=5))
    signup = check_by_token(town.resident, make_token(activity.pk, "out"))
    assert signup.state == SignupState.DONE and 4 <= (signup.minutes or 0) <= 6
    transfer = Transfer.objects.get(ref=f"volunteers.attendance:{signup.pk}")
    assert signup.transfer == transfer
    assert balance_minutes(volunteer) == signup.minutes
    account = Account.objects.get(person=town.person)
    assert account.balance == signup.minutes
    with pytest.raises(ValidationError):
        check_by_token(town.resident, make_token(activity.pk, "out"))
    with pytest.raises(ValidationError):
        confirm_attendance(town.keeper, signup)
    assert Transfer.objects.filter(ref=f"volunteers.attendance:{signup.pk}").count() == 1
    _ledger_ok()


def test_minutes_are_capped_by_the_activity_length(volunteer: Any, town: Any) -> None:
    activity = _running(town)
    signup = sign_up(town.resident, activity)
    long_ago = activity.starts_at - datetime.timedelta(hours=3)
    Signup.objects.filter(pk=signup.pk).update(checked_in_at=long_ago)
    with pytest.MonkeyPatch.context() as patch:
        later = activity.ends_at + datetime.timedelta(minutes=30)
        patch.setattr(timezone, "now", lambda: later)
        signup = check_by_token(town.resident, make_token(activity.pk, "out"))
    assert signup.minutes == 60


def test_expired_forged_or_foreign_tokens_are_refused(volunteer: Any, town: Any, settings: Any, world: Any) -> None:
    activity = _running(town)
    sign_up(town.resident, activity)
    token = make_token(activity.pk, "in")
    with pytest.raises(ValidationError, match="not valid"):
        check_by_token(town.resident, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(ValidationError, match="not valid"):
        check_by_token(town.resident, "garbage")
    other = _running(town, title="别的活动")
    with pytest.raises(PermissionDenied):
        check_by_token(town.resident, make_token(other.pk, "in"))  # no place on it
    with pytest.raises(PermissionDenied):
        check_by_token(world.outsiders[Role.RESIDENT], token)
    settings.VOLUNTEER_QR_SECONDS = -1
    with pytest.raises(ValidationError, match="expired"):
        check_by_token(town.resident, token)


def test_check_in_window(volunteer: Any, town: Any) -> None:
    activity = town.activity(start_in=180, auto_confirm=True)
    sign_up(town.resident, activity)
    with pytest.raises(ValidationError, match="opens"):
        check_by_token(town.resident, make_token(activity.pk, "in"))


def test_the_organiser_confirms_attendance_and_may_adjust_with_a_reason(volunteer: Any, town: Any) -> None:
    activity = _running(town)
    signup = sign_up(town.resident, activity)
    with pytest.raises(PermissionDenied):
        confirm_attendance(town.resident, signup)
    with pytest.raises(ValidationError):
        confirm_attendance(town.keeper, signup, minutes=45)  # no reason
    with pytest.raises(ValidationError):
        confirm_attendance(town.keeper, signup, minutes=500, reason="太多")  # longer than the activity
    signup = confirm_attendance(town.keeper, signup, minutes=45, reason="提前离开")
    assert (signup.minutes, signup.minutes_reason, signup.state) == (45, "提前离开", SignupState.DONE)
    assert signup.transfer is not None and signup.transfer.created_by == town.keeper
    with pytest.raises(ValidationError):
        confirm_attendance(town.keeper, signup, minutes=50, reason="再来")
    _ledger_ok()


def test_check_in_pages_change_nothing_on_get(volunteer: Any, town: Any, client: Any) -> None:
    activity = _running(town)
    signup = sign_up(town.resident, activity)
    client.force_login(town.keeper)
    qr = client.get(f"/volunteers/activities/{activity.pk}/qr/in/")
    assert qr.status_code == 200 and b"<svg" in qr.content
    client.force_login(town.resident)
    assert client.get(f"/volunteers/activities/{activity.pk}/qr/in/").status_code == 403
    url = f"/volunteers/checkin/{make_token(activity.pk, 'in')}/"
    assert client.get(url).status_code == 200
    signup.refresh_from_db()
    assert signup.checked_in_at is None
    assert client.post(url).status_code == 302
    signup.refresh_from_db()
    assert signup.checked_in_at is not None
    assert client.get("/volunteers/checkin/forged:token/").status_code == 400
