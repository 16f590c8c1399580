"""Sign-ups and attendance: join, confirm, cancel, check in and out by the organiser's QR code or the
organiser's confirmation, and the hours credited once to the time bank (linli.timebank.actions).

Minutes attended are the time between check-in and check-out, never more than the activity's length; the
organiser confirming by hand gives the activity's length (or what they enter, with a reason). The credit's
ref is "volunteers.attendance:<sign-up pk>", which the time bank refuses to credit twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_cancel_signup, can_join_activity, can_organise_activity
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.timebank.actions import MAX_SERVICE_MINUTES, credit_service_hours

from ..choices import HOLDING, CertificateKind, SignupState, VolunteerState
from ..models import Activity, Certificate, Signup, Volunteer
from ..tokens import read_token

# A volunteer may check in this long before the start (setting up) and check out this long after the end.
EARLY = datetime.timedelta(hours=1)
LATE = datetime.timedelta(hours=2)


def _event(actor: Any, signup: Signup, step: str, **data: Any) -> None:
    audit.record(
        AuditAction.ACTIVITY_ATTENDANCE,
        actor=actor,
        target=signup,
        data={"step": step, "activity": signup.activity_id, **data},
    )


def missing_certificates(volunteer: Volunteer, activity: Activity, day: datetime.date | None = None) -> list[str]:
    """The kinds the activity requires for which the volunteer holds no certificate valid on `day` (today)."""
    day = day or timezone.localdate()
    required = activity.certificate_list
    if not required:
        return []
    held = {c.kind for c in Certificate.objects.filter(volunteer=volunteer, kind__in=required) if c.valid_on(day)}
    return [k for k in required if k not in held]


def _labels(kinds: list[str]) -> str:
    return "、".join(str(CertificateKind(k).label) for k in kinds if k in CertificateKind.values)


def confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(state__in=(SignupState.CONFIRMED, SignupState.DONE)).count()


@transaction.atomic
def sign_up(user: Any, activity: Activity) -> Signup:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if not can_join_activity(user, activity):
        raise PermissionDenied(_("Sign up as a volunteer of this community first"))
    volunteer = Volunteer.objects.select_for_update().get(user_id=user.pk, state=VolunteerState.ACTIVE)
    if activity.cancelled or activity.ends_at <= timezone.now():
        raise ValidationError(_("This activity is over or cancelled"))
    missing = missing_certificates(volunteer, activity)
    if missing:
        raise ValidationError(
            _("This activity requires a valid certificate you do not have on record: %(kinds)s")
            % {"kinds": _labels(missing)}
        )
    full = confirmed_count(activity) >= activity.needed
    if full:
        raise ValidationError(_("This activity is full"))
    state = SignupState.CONFIRMED if activity.auto_confirm else SignupState.APPLIED
    signup = Signup.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    now = timezone.now()
    if signup is not None and signup.state in HOLDING:
        raise ValidationError(_("You have already signed up"))
    if signup is None:
        signup = Signup(activity=activity, volunteer=volunteer)
    signup.state, signup.signed_up_at, signup.cancelled_at, signup.cancel_reason = state, now, None, ""
    signup.confirmed_at = now if state == SignupState.CONFIRMED else None
    signup.save()
    _event(user, signup, "signed_up", state=state)
    return signup


@transaction.atomic
def confirm_signup(actor: Any, signup: Signup) -> Signup:
    signup = Signup.objects.select_for_update(of=("self",)).select_related("activity").get(pk=signup.pk)
    activity = Activity.objects.select_for_update().get(pk=signup.activity_id)
    if not can_organise_activity(actor, activity):
        raise PermissionDenied(_("You may not organise this activity"))
    if signup.state != SignupState.APPLIED:
        raise ValidationError(_("Only a sign-up waiting for confirmation can be confirmed"))
    if confirmed_count(activity) >= activity.needed:
        raise ValidationError(_("This activity is full"))
    signup.state, signup.confirmed_at = SignupState.CONFIRMED, timezone.now()
    signup.save(update_fields=["state", "confirmed_at"])
    _event(actor, signup, "confirmed")
    return signup


@transaction.atomic
def cancel_signup(actor: Any, signup: Signup, *, reason: str = "") -> Signup:
    signup = Signup.objects.select_for_update(of=("self",)).select_related("activity", "volunteer").get(pk=signup.pk)
    if not can_cancel_signup(actor, signup):
        raise PermissionDenied(_("You may not cancel this sign-up"))
    if signup.state not in (SignupState.APPLIED, SignupState.CONFIRMED) or signup.checked_in_at:
        raise ValidationError(_("This sign-up can no longer be cancelled"))
    signup.state, signup.cancelled_at = SignupState.CANCELLED, timezone.now()
    signup.cancel_reason = check_plain_text((reason or "").strip())[:200]
    signup.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    _event(actor, signup, "cancelled", by_volunteer=signup.volunteer.user_id == getattr(actor, "pk", None))
    return signup


def _credit(actor: Any, signup: Signup, minutes: int, memo: str, at: datetime.datetime | None = None) -> None:
    activity = signup.activity
    if signup.volunteer.person_id is None:
        raise ValidationError(_("This volunteer is not yet in the registry; the community must confirm them first"))
    transfer = credit_service_hours(
        actor,
        community=activity.community,
        person=signup.volunteer.person,
        minutes=minutes,
        memo=memo[:200],
        ref=signup.ref,
        at=at,
    )
    signup.minutes, signup.transfer, signup.state = minutes, transfer, SignupState.DONE
    signup.save(update_fields=["minutes", "transfer", "state", "checked_in_at", "checked_out_at", "minutes_reason"])


def attended_minutes(signup: Signup) -> int:
    activity = signup.activity
    start = max(signup.checked_in_at or activity.starts_at, activity.starts_at)
    end = min(signup.checked_out_at or activity.ends_at, activity.ends_at)
    minutes = int((end - start).total_seconds() // 60)
    return max(0, min(minutes, activity.length_minutes, MAX_SERVICE_MINUTES))


@transaction.atomic
def check_by_token(user: Any, token: str) -> Signup:
    """The volunteer's phone opened the URL of the organiser's QR code: check in, or check out and credit."""
    code = read_token(token)
    activity = Activity.objects.filter(pk=code.activity_id).first()
    user_pk = getattr(user, "pk", None) or 0
    volunteer = Volunteer.objects.filter(user_id=user_pk, state=VolunteerState.ACTIVE).first()
    if activity is None or volunteer is None:
        raise PermissionDenied(_("You have no place on this activity"))
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("activity__community", "volunteer__person")
        .filter(activity=activity, volunteer=volunteer)
        .first()
    )
    if signup is None or signup.state not in (SignupState.CONFIRMED, SignupState.DONE):
        raise PermissionDenied(_("You have no confirmed place on this activity"))
    now = timezone.now()
    if not activity.starts_at - EARLY <= now <= activity.ends_at + LATE:
        raise ValidationError(_("Check-in opens an hour before the activity and closes two hours after it"))
    if code.direction == "in":
        if signup.checked_in_at is not None:
            raise ValidationError(_("You have already checked in"))
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
        _event(user, signup, "checked_in", by="qr")
        return signup
    if signup.checked_in_at is None:
        raise ValidationError(_("Check in first"))
    if signup.checked_out_at is not None or signup.transfer_id is not None:
        raise ValidationError(_("You have already checked out"))
    signup.checked_out_at = now
    minutes = attended_minutes(signup)
    _event(user, signup, "checked_out", by="qr", minutes=minutes)
    if minutes > 0:
        # Credited by the system on the strength of the organiser's signed code (a volunteer does not
        # record hours for themselves); the attendance event above names the volunteer.
        _credit(None, signup, minutes, _("Volunteer service: %(title)s") % {"title": activity.title})
    else:
        signup.state = SignupState.DONE
        signup.save(update_fields=["checked_out_at", "state"])
    return signup


@transaction.atomic
def confirm_attendance(
    actor: Any, signup: Signup, *, minutes: int | None = None, reason: str = "", at: datetime.datetime | None = None
) -> Signup:
    """The organiser confirms by hand that the volunteer came (or closes a check-in without check-out) and
    credits the minutes: the activity's length (or the checked-in time), or `minutes` with a reason. `at`
    dates the transfer (the demo's history: when the activity ended); now by default."""
    signup = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("activity__community", "volunteer__person")
        .get(pk=signup.pk)
    )
    if not can_organise_activity(actor, signup.activity):
        raise PermissionDenied(_("You may not organise this activity"))
    if signup.transfer_id is not None:
        raise ValidationError(_("These hours have already been recorded"))
    if signup.state not in (SignupState.CONFIRMED, SignupState.NO_SHOW, SignupState.DONE):
        raise ValidationError(_("Only a confirmed volunteer's attendance can be recorded"))
    if signup.activity.starts_at > timezone.now():
        raise ValidationError(_("The activity has not started yet"))
    default = attended_minutes(signup)
    if minutes is not None and minutes != default:
        if not 1 <= minutes <= min(signup.activity.length_minutes, MAX_SERVICE_MINUTES):
            raise ValidationError({"minutes": [_("Between 1 minute and the activity's length")]})
        reason = check_plain_text((reason or "").strip())[:200]
        if not reason:
            raise ValidationError({"reason": [_("Say why the minutes differ")]})
        signup.minutes_reason = reason
    chosen = minutes if minutes is not None else default
    if chosen <= 0:
        raise ValidationError({"minutes": [_("Between 1 minute and the activity's length")]})
    _event(actor, signup, "attendance_confirmed", minutes=chosen, adjusted=bool(signup.minutes_reason))
    _credit(actor, signup, chosen, _("Volunteer service: %(title)s") % {"title": signup.activity.title}, at=at)
    return signup


@transaction.atomic
def mark_no_shows(now: datetime.datetime | None = None) -> int:
    """Confirmed volunteers who never checked in, on activities that have ended and were not credited."""
    now = now or timezone.now()
    rows = list(
        Signup.objects.select_for_update()
        .filter(
            state=SignupState.CONFIRMED,
            checked_in_at__isnull=True,
            transfer__isnull=True,
            activity__ends_at__lt=now,
            activity__cancelled=False,
        )
        .order_by("pk")
    )
    for signup in rows:
        signup.state = SignupState.NO_SHOW
        signup.save(update_fields=["state"])
        _event(None, signup, "no_show")
    return len(rows)
