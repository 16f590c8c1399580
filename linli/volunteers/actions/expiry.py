"""The daily certificate check: a volunteer whose required certificate has expired is taken off the future
shifts (and activities) that require it — their sign-ups cancelled with the reason "证书过期" — and the
volunteer and the organiser are told through linli.notices."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import audit
from linli.core.choices import AuditAction
from linli.notices.actions import notify
from linli.notices.choices import NoticeKind

from ..choices import CERTIFICATE_EXPIRED_REASON, SignupState
from ..models import Signup
from .attendance import missing_certificates


@transaction.atomic
def remove_expired_certificates(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("activity__organiser", "volunteer__user")
        .filter(
            state__in=(SignupState.APPLIED, SignupState.CONFIRMED),
            checked_in_at__isnull=True,
            activity__starts_at__gt=now,
            activity__cancelled=False,
        )
        .exclude(activity__certificates="")
        .order_by("pk")
    )
    removed = 0
    for signup in candidates:
        missing = missing_certificates(signup.volunteer, signup.activity, today)
        if not missing:
            continue
        signup.state, signup.cancelled_at, signup.cancel_reason = SignupState.CANCELLED, now, CERTIFICATE_EXPIRED_REASON
        signup.save(update_fields=["state", "cancelled_at", "cancel_reason"])
        audit.record(
            AuditAction.ACTIVITY_ATTENDANCE,
            target=signup,
            data={
                "step": "cancelled",
                "activity": signup.activity_id,
                "reason": "certificate_expired",
                "kinds": missing,
            },
        )
        activity = signup.activity
        when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
        title = _("Removed from %(title)s (%(when)s): certificate expired") % {"title": activity.title, "when": when}
        body = _("A certificate this shift requires has expired. Renew it with your community to sign up again.")
        if signup.volunteer.user is not None:
            notify(
                signup.volunteer.user,
                kind=NoticeKind.GENERAL,
                title=title,
                body=body,
                link=reverse("volunteers:activity", args=[activity.pk]),
            )
        if activity.organiser is not None:
            notify(
                activity.organiser,
                kind=NoticeKind.GENERAL,
                title=_("A volunteer was removed from %(title)s (%(when)s): certificate expired")
                % {"title": activity.title, "when": when},
                link=reverse("volunteers:roster", args=[activity.pk]),
            )
        removed += 1
    return removed
