"""Meetings on a topic, online or in person (线下议事): who is invited and in what capacity (居民代表, 物业,
业委会, 驻区单位 …), who came, and the minutes — text, a document (linli.participation.documents), or both."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_steer_topic

from ..choices import MeetingKind
from ..documents import check_document
from ..models import Meeting, MeetingAttendee, Topic
from .topic_base import S, event, lock, step, text

# Meetings are called from the moment a topic is raised until it is done.
MEETING_STATES = (S.RAISED, S.DISCUSSING, S.PROPOSED, S.DECIDING, S.DECIDED, S.FOLLOWING_UP)
MAX_INVITEES = 200


def _invitee(row: Mapping[str, Any]) -> tuple[Any, str, str]:
    user = row.get("user")
    name = text(row.get("name") or (str(user) if user is not None else ""), "invitees", limit=64)
    capacity = text(row.get("capacity"), "invitees", limit=64, required=False)
    return user, name, capacity


@transaction.atomic
def schedule_meeting(
    actor: Any,
    topic: Topic,
    *,
    kind: str,
    starts_at: datetime.datetime,
    location: str = "",
    invitees: Iterable[Mapping[str, Any]] = (),
) -> Meeting:
    """Call a meeting. `invitees`: {"user": User or None, "name": str, "capacity": str} each; a user's name is
    taken from the account when no name is given."""
    topic = step(actor, topic, can_steer_topic, MEETING_STATES, _("given a meeting"))
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose in person or online")})
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("Give the meeting's date and time")})
    rows = [_invitee(row) for row in invitees]
    if len(rows) > MAX_INVITEES:
        raise ValidationError({"invitees": _("At most %(n)d invitees") % {"n": MAX_INVITEES}})
    where = text(location, "location", limit=200, required=kind == MeetingKind.OFFLINE)
    meeting = Meeting.objects.create(topic=topic, kind=kind, starts_at=starts_at, location=where, created_by=actor)
    MeetingAttendee.objects.bulk_create(
        [MeetingAttendee(meeting=meeting, user=user, name=name, capacity=capacity) for user, name, capacity in rows]
    )
    event(topic, "meeting_scheduled", actor, topic.state, {"meeting": meeting.pk, "kind": kind, "invited": len(rows)})
    return meeting


def _meeting_step(actor: Any, meeting: Meeting) -> tuple[Topic, Meeting]:
    topic = lock(meeting.topic_id)
    if not can_steer_topic(actor, topic):
        raise PermissionDenied(_("You may not do this to this topic"))
    return topic, Meeting.objects.select_for_update().get(pk=meeting.pk, topic=topic)


@transaction.atomic
def record_attendance(
    actor: Any, meeting: Meeting, attended: Mapping[int, bool], *, extra: Iterable[Mapping[str, Any]] = ()
) -> Meeting:
    """Mark who came (attendee id → came or not) and add people who came uninvited; the meeting is held."""
    topic, meeting = _meeting_step(actor, meeting)
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Attendance is recorded once the meeting has begun"))
    rows = {a.pk: a for a in meeting.attendees.select_for_update()}
    unknown = set(attended) - set(rows)
    if unknown:
        raise ValidationError(_("Someone marked was not invited to this meeting"))
    for pk, came in attended.items():
        rows[pk].attended = bool(came)
    MeetingAttendee.objects.bulk_update(list(rows.values()), ["attended"])
    added = [
        MeetingAttendee(meeting=meeting, user=u, name=n, capacity=c, attended=True) for u, n, c in map(_invitee, extra)
    ]
    MeetingAttendee.objects.bulk_create(added)
    meeting.held = True
    meeting.save(update_fields=["held"])
    present = sum(1 for a in rows.values() if a.attended) + len(added)
    event(topic, "attendance_recorded", actor, topic.state, {"meeting": meeting.pk, "attended": present})
    return meeting


@transaction.atomic
def record_minutes(
    actor: Any, meeting: Meeting, *, text_: str = "", document: IO[bytes] | bytes | None = None
) -> Meeting:
    """The minutes as text, as a document (PDF, JPEG, PNG, DOCX; checked by its bytes and size), or both."""
    topic, meeting = _meeting_step(actor, meeting)
    minutes = text(text_, "minutes", limit=20000, required=False)
    clean = check_document(document) if document is not None else None
    if not minutes and clean is None:
        raise ValidationError({"minutes": _("Write the minutes or attach the document")})
    fields = []
    if minutes:
        meeting.minutes = minutes
        fields.append("minutes")
    if clean is not None:
        sha = hashlib.sha256(clean.content).hexdigest()
        meeting.minutes_file.save(
            f"minutes-{meeting.pk}-{sha[:16]}{clean.extension}", ContentFile(clean.content), save=False
        )
        fields.append("minutes_file")
    meeting.held = True
    meeting.save(update_fields=[*fields, "held"])
    event(topic, "minutes_recorded", actor, topic.state, {"meeting": meeting.pk, "document": clean is not None})
    return meeting
