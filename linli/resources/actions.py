"""Every write to the resource and expert library: views, admin, demo and commands call these.

Each action is atomic, checks its named predicate (linli.accounts.predicates), locks the row it changes and
records one audit event (RESOURCE_SAVED). Bookings are in linli.resources.booking.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from linli.accounts.predicates import can_add_resource, can_edit_resource
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.places.choices import PlaceLevel

from .choices import Condition, Offer, ResourceKind
from .models import Resource, join_tags, split_tags, stale_cutoff

# An entry belongs to a street, a community or a place below them, never to a whole district.
ENTRY_LEVELS = frozenset(PlaceLevel.values) - {PlaceLevel.PROVINCE, PlaceLevel.CITY, PlaceLevel.DISTRICT}
TEXT_FIELDS = (
    "name",
    "description",
    "contact_name",
    "contact_phone",
    "facilities",
    "purpose",
    "source",
    "registration_number",
    "availability_notes",
)
VALUE_FIELDS = (
    "capacity",
    "opens_at",
    "closes_at",
    "quantity",
    "condition",
    "amount",
    "steward",
    "contact_user",
    "person",
)
REMIND_EVERY_DAYS = 7  # a steward who has not acted is reminded again a week later, not every day


def _days(value: Any, field: str) -> str:
    items = [str(d) for d in (value or "")]
    if any(len(d) != 1 or d not in "0123456" for d in items):
        raise ValidationError({field: [_("Pick days of the week")]})
    return "".join(sorted(set(items)))


def _apply(resource: Resource, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        if name in fields:
            text = (fields[name] or "").strip()
            try:
                check_plain_text(text)
            except ValidationError as exc:
                errors[name] = exc.messages
            setattr(resource, name, text)
    for name in VALUE_FIELDS:
        if name in fields:
            setattr(resource, name, fields[name])
    if "tags" in fields:
        tags = fields["tags"]
        resource.tags = join_tags(split_tags(tags) if isinstance(tags, str) else list(tags))
    if "offers" in fields:
        offers = list(fields["offers"] or [])
        if set(offers) - set(Offer.values):
            errors["offers"] = [_("Pick what the unit offers")]
        resource.offers = join_tags([o for o in Offer.values if o in offers])
    for name in ("opening_days", "availability_days"):
        if name in fields:
            setattr(resource, name, _days(fields[name], name))
    if not resource.name:
        errors["name"] = [_("Name is required")]
    if resource.condition and resource.condition not in Condition.values:
        errors["condition"] = [_("Pick a condition")]
    if resource.kind == ResourceKind.VENUE and (resource.opens_at is None) != (resource.closes_at is None):
        errors["closes_at"] = [_("Give both the opening and the closing time, or neither")]
    if resource.opens_at and resource.closes_at and resource.closes_at <= resource.opens_at:
        errors["closes_at"] = [_("The venue must close after it opens")]
    if resource.amount is not None and resource.amount < 0:
        errors["amount"] = [_("The amount cannot be negative")]
    if errors:
        raise ValidationError(errors)


def _check_place(actor: Any, place: Any) -> None:
    if place is None or place.level not in ENTRY_LEVELS:
        raise ValidationError({"place": [_("Pick a street, a community or a place below one")]})
    if not can_add_resource(actor, place):
        raise PermissionDenied(_("You cannot add library entries at this place"))


def _record(actor: Any, resource: Resource, what: str, **data: Any) -> None:
    audit.record(
        AuditAction.RESOURCE_SAVED, actor=actor, target=resource, data={"what": what, "kind": resource.kind, **data}
    )


@transaction.atomic
def create_resource(actor: Any, *, kind: str, place: Any, serves: Iterable[Any] = (), **fields: Any) -> Resource:
    """A new entry of `kind` at `place`; the steward defaults to the person adding it."""
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": [_("Pick a kind")]})
    _check_place(actor, place)
    resource = Resource(kind=kind, place=place, created_by=actor if getattr(actor, "pk", None) else None)
    if fields.get("steward") is None:  # someone must keep it current: whoever adds it, unless named
        fields["steward"] = actor if getattr(actor, "pk", None) else None
    _apply(resource, fields)
    resource.save()
    resource.serves.set(list(serves))
    _record(actor, resource, "created", place=place.pk)
    return resource


@transaction.atomic
def update_resource(
    actor: Any, resource: Resource, *, place: Any = None, serves: Any = None, **fields: Any
) -> Resource:
    """Change an entry's fields; moving it to another place needs the right to add entries there. Saving
    counts as confirming it current: whoever edits it has just looked at it."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not can_edit_resource(actor, resource):
        raise PermissionDenied(_("You cannot change this entry"))
    if resource.retired_at is not None:
        raise ValidationError(_("This entry has been retired"))
    changed = sorted(k for k in fields if getattr(resource, k, None) != fields[k])
    if place is not None and place.pk != resource.place_id:
        _check_place(actor, place)
        resource.place = place
        changed.append("place")
    _apply(resource, fields)
    resource.last_confirmed_at = timezone.now()
    resource.reminded_at = None
    resource.save()
    if serves is not None:
        resource.serves.set(list(serves))
    _record(actor, resource, "updated", fields=changed)
    return resource


@transaction.atomic
def confirm_resource(actor: Any, resource: Resource) -> Resource:
    """The steward's one click: the entry is still current."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not can_edit_resource(actor, resource):
        raise PermissionDenied(_("You cannot change this entry"))
    if resource.retired_at is not None:
        raise ValidationError(_("This entry has been retired"))
    resource.last_confirmed_at = timezone.now()
    resource.reminded_at = None
    resource.save(update_fields=["last_confirmed_at", "reminded_at", "updated_at"])
    _record(actor, resource, "confirmed")
    return resource


@transaction.atomic
def retire_resource(actor: Any, resource: Resource, *, reason: str = "") -> Resource:
    """Take an entry off the library; its row and its bookings stay, as history."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if not can_edit_resource(actor, resource):
        raise PermissionDenied(_("You cannot change this entry"))
    if resource.retired_at is not None:
        raise ValidationError(_("This entry has been retired"))
    check_plain_text(reason)
    resource.retired_at = timezone.now()
    resource.save(update_fields=["retired_at", "updated_at"])
    _record(actor, resource, "retired", reason=reason[:200])
    return resource


def remind_stale_stewards(now: Any = None) -> int:
    """One notice per steward with stale entries not reminded in the last week; returns how many were sent.
    Each steward's entries are marked reminded in the same transaction as the notice."""
    from datetime import timedelta

    from linli.notices.actions import notify
    from linli.notices.choices import NoticeKind

    now = now or timezone.now()
    again = now - timedelta(days=REMIND_EVERY_DAYS)
    due = Resource.objects.filter(
        retired_at__isnull=True, steward__isnull=False, steward__is_active=True, last_confirmed_at__lt=stale_cutoff(now)
    ).exclude(reminded_at__gte=again)
    sent = 0
    for steward_id in sorted(set(due.values_list("steward_id", flat=True))):
        with transaction.atomic():
            mine = list(due.filter(steward_id=steward_id).select_for_update().values_list("pk", flat=True))
            if not mine:
                continue
            steward = Resource.objects.get(pk=mine[0]).steward
            count = len(mine)
            notify(
                steward,
                kind=NoticeKind.GENERAL,
                title=ngettext(
                    "%(count)d library entry needs confirming",
                    "%(count)d library entries need confirming",
                    count,
                )
                % {"count": count},
                body=_("Check that they are still current and confirm them, or retire them."),
                link=reverse("resources:search") + "?stale=on&mine=on",
            )
            Resource.objects.filter(pk__in=mine).update(reminded_at=now)
            sent += 1
    return sent
