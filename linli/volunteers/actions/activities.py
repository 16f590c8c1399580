"""Publishing activities and standing posts, and generating a post's shifts for the coming weeks."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_organise_activity, can_publish_activities
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.places.models import Place

from ..choices import ActivityKind, CertificateKind, PostKind
from ..models import Activity, Post, Skill, join_codes

MAX_NEEDED = 500
MAX_SHIFT_WEEKS = 12


def _text(value: str, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required")]})
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(n)d characters") % {"n": limit}]})
    try:
        return check_plain_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _where(actor: Any, community: Place, place: Place | None) -> Place:
    if not can_publish_activities(actor, community):
        raise PermissionDenied(_("You may not publish activities in this community"))
    place = place or community
    if not place.path.startswith(community.path):
        raise ValidationError({"place": [_("The place must lie in the community")]})
    return place


def _certificates(kinds: Iterable[str]) -> str:
    kinds = list(kinds or [])
    if set(kinds) - set(CertificateKind.values):
        raise ValidationError({"certificates": [_("Unknown certificate kind")]})
    return join_codes(kinds)


def _needed(needed: Any) -> int:
    if not isinstance(needed, int) or not 1 <= needed <= MAX_NEEDED:
        raise ValidationError({"needed": [_("Between 1 and %(n)d volunteers") % {"n": MAX_NEEDED}]})
    return needed


@transaction.atomic
def publish_activity(
    actor: Any,
    *,
    community: Place,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: Place | None = None,
    description: str = "",
    needed: int = 1,
    skills: Iterable[Skill] = (),
    certificates: Iterable[str] = (),
    auto_confirm: bool = False,
) -> Activity:
    place = _where(actor, community, place)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": [_("An activity ends after it starts")]})
    activity = Activity.objects.create(
        community=community,
        place=place,
        kind=ActivityKind.ACTIVITY,
        title=_text(title, "title", 120, required=True),
        description=_text(description, "description", 4000),
        starts_at=starts_at,
        ends_at=ends_at,
        needed=_needed(needed),
        certificates=_certificates(certificates),
        auto_confirm=bool(auto_confirm),
        organiser=actor,
    )
    activity.skills.set(list(skills))
    audit.record(AuditAction.ACTIVITY_PUBLISHED, actor=actor, target=activity, data={"community": community.code})
    return activity


def _pattern(pattern: Any) -> list[dict[str, Any]]:
    out = []
    for row in pattern or []:
        try:
            weekday = int(row["weekday"])
            start = datetime.time.fromisoformat(str(row["start"]))
            end = datetime.time.fromisoformat(str(row["end"]))
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"pattern": [_("Each shift needs a weekday, a start and an end")]}) from None
        if not 0 <= weekday <= 6 or end <= start:
            raise ValidationError({"pattern": [_("Each shift needs a weekday, a start and an end")]})
        out.append({"weekday": weekday, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    if not out:
        raise ValidationError({"pattern": [_("Give at least one weekly shift")]})
    return out


@transaction.atomic
def publish_post(
    actor: Any,
    *,
    community: Place,
    title: str,
    pattern: list[dict[str, Any]],
    kind: str = PostKind.OTHER,
    place: Place | None = None,
    duties: str = "",
    needed: int = 1,
    skills: Iterable[Skill] = (),
    certificates: Iterable[str] = (),
    auto_confirm: bool = True,
) -> Post:
    place = _where(actor, community, place)
    if kind not in PostKind.values:
        raise ValidationError({"kind": [_("Unknown kind of post")]})
    post = Post.objects.create(
        community=community,
        place=place,
        kind=kind,
        title=_text(title, "title", 120, required=True),
        duties=_text(duties, "duties", 2000),
        pattern=_pattern(pattern),
        needed=_needed(needed),
        certificates=_certificates(certificates),
        auto_confirm=bool(auto_confirm),
        organiser=actor,
    )
    post.skills.set(list(skills))
    audit.record(AuditAction.ACTIVITY_PUBLISHED, actor=actor, target=post, data={"community": community.code})
    return post


@transaction.atomic
def generate_shifts(actor: Any, post: Post, *, weeks: int = 4, start: datetime.date | None = None) -> list[Activity]:
    """The post's shifts for `weeks` weeks from `start` (today): one activity per pattern row and day. A shift
    already there (same post and start) is kept, so generating twice adds nothing."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not can_organise_activity(actor, post):
        raise PermissionDenied(_("You may not organise this post"))
    if not post.active:
        raise ValidationError(_("This post has ended"))
    if not 1 <= weeks <= MAX_SHIFT_WEEKS:
        raise ValidationError({"weeks": [_("Between 1 and %(n)d weeks") % {"n": MAX_SHIFT_WEEKS}]})
    first = start or timezone.localdate()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    existing = set(post.shifts.values_list("starts_at", flat=True))
    skills = list(post.skills.all())
    made: list[Activity] = []
    for offset in range(weeks * 7):
        day = first + datetime.timedelta(days=offset)
        for row in post.pattern:
            if row["weekday"] != day.weekday():
                continue
            begins = datetime.datetime.combine(day, datetime.time.fromisoformat(row["start"]), tz)
            ends = datetime.datetime.combine(day, datetime.time.fromisoformat(row["end"]), tz)
            if begins <= now or begins in existing:
                continue
            shift = Activity.objects.create(
                community=post.community,
                place=post.place,
                kind=ActivityKind.SHIFT,
                post=post,
                title=post.title,
                description=post.duties,
                starts_at=begins,
                ends_at=ends,
                needed=post.needed,
                certificates=post.certificates,
                auto_confirm=post.auto_confirm,
                organiser=post.organiser or actor,
            )
            shift.skills.set(skills)
            made.append(shift)
    audit.record(AuditAction.ACTIVITY_CHANGED, actor=actor, target=post, data={"shifts_added": len(made)})
    return made
