"""Certificates: an activity or post that requires a kind refuses a volunteer without a valid one, with a
clear message; the daily job takes a volunteer whose certificate has expired off the future shifts that
require it, with the reason 证书过期, and tells the volunteer and the organiser."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from linli.accounts.choices import Role
from linli.notices.models import Notice
from linli.volunteers.actions.activities import generate_shifts, publish_post
from linli.volunteers.actions.attendance import sign_up
from linli.volunteers.actions.expiry import remove_expired_certificates
from linli.volunteers.actions.volunteers import record_certificate
from linli.volunteers.choices import CERTIFICATE_EXPIRED_REASON, SignupState

pytestmark = pytest.mark.django_db


def _post(town: Any) -> Any:
    post = publish_post(
        town.keeper,
        community=town.community,
        kind="elder_visit",
        title="独居老人探访",
        pattern=[{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(7)],
        needed=2,
        certificates=["elder_care"],
    )
    return generate_shifts(town.keeper, post, weeks=1, start=timezone.localdate() + datetime.timedelta(days=1))


def test_sign_up_without_a_valid_certificate_is_refused(volunteer: Any, town: Any, world: Any) -> None:
    shifts = _post(town)
    with pytest.raises(ValidationError) as refused:
        sign_up(town.resident, shifts[0])
    assert "requires a valid certificate" in refused.value.messages[0]
    assert "Elder care" in refused.value.messages[0]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    record_certificate(town.keeper, volunteer, kind="elder_care", number="YL-1", expires_on=yesterday)
    with pytest.raises(ValidationError):
        sign_up(town.resident, shifts[0])  # expired
    with pytest.raises(PermissionDenied):
        record_certificate(town.resident, volunteer, kind="elder_care")  # the community records what it saw
    with pytest.raises(PermissionDenied):
        record_certificate(world.outsiders[Role.COMMUNITY_WORKER], volunteer, kind="elder_care")
    record_certificate(town.keeper, volunteer, kind="elder_care", number="YL-2", expires_on=None)
    assert sign_up(town.resident, shifts[0]).state == SignupState.CONFIRMED


def test_the_daily_job_removes_an_expired_certificate_from_future_shifts(volunteer: Any, town: Any) -> None:
    shifts = _post(town)
    today = timezone.localdate()
    certificate = record_certificate(
        town.keeper, volunteer, kind="elder_care", expires_on=today + datetime.timedelta(days=3)
    )
    signups = [sign_up(town.resident, shift) for shift in shifts[:3]]
    other = town.activity(title="不要求证书的活动", auto_confirm=True)
    free = sign_up(town.resident, other)
    assert remove_expired_certificates() == 0
    certificate.expires_on = today - datetime.timedelta(days=1)  # it lapsed (or the community shortened it)
    certificate.save()
    assert remove_expired_certificates() == 3
    for signup in signups:
        signup.refresh_from_db()
        assert signup.state == SignupState.CANCELLED and signup.cancel_reason == CERTIFICATE_EXPIRED_REASON
    free.refresh_from_db()
    assert free.state == SignupState.CONFIRMED
    assert Notice.objects.filter(recipient=town.resident).count() == 3
    assert Notice.objects.filter(recipient=town.keeper).count() == 3
    assert remove_expired_certificates() == 0
