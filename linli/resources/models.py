"""The community's resource and expert library (DESIGN §9): venues, equipment, funds, resident units
(驻区单位), social organisations and experts as one model, since they share what matters to the community —
a place in the tree, tags, a steward who keeps the entry current, a confirmation date — and differ only in a
few columns (a venue's capacity and hours, a fund's amount, an expert's availability). Venue bookings are
their own rows.

Overlapping bookings that hold a slot are refused by linli.resources.booking under a lock on the venue's
row, and on PostgreSQL also by an exclusion constraint (migration 0002), which SQLite lacks.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField
from linli.core.querysets import RestrictedQuerySet

from .choices import BookingState, Condition, ResourceKind

DEFAULT_STALE_DAYS = 180


def stale_days() -> int:
    return int(getattr(settings, "RESOURCE_STALE_DAYS", DEFAULT_STALE_DAYS))


def stale_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Entries last confirmed before this moment are stale."""
    return (now or timezone.now()) - datetime.timedelta(days=stale_days())


def split_tags(text: str) -> list[str]:
    """Tags as typed: separated by commas (either width), 、 or spaces; duplicates dropped, order kept."""
    import re

    seen: list[str] = []
    for tag in re.split(r"[,，、;；\s]+", text or ""):
        tag = tag.strip()[:32]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def join_tags(tags: list[str]) -> str:
    """Stored as ",a,b," so that one tag is found exactly with `tags__contains=",a,"` on any database."""
    return f",{','.join(tags)}," if tags else ""


class Resource(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices, db_index=True)
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True, default="")
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="resources"
    )
    serves = models.ManyToManyField(
        "places.Place", verbose_name=_("also serves"), blank=True, related_name="served_by_resources"
    )
    tags = models.CharField(_("tags, skills or fields"), max_length=500, blank=True, default="")
    steward = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("steward"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stewarded_resources",
    )
    # Contacts: a resident unit's or organisation's contact person, an expert's own number. Shown in the
    # clear only to staff (linli.accounts.predicates.can_see_resource_contact), masked for everyone else.
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True, default="")
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for_resources",
        help_text=_("A resident unit's contact with this account may book the community's venues."),
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("registry record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_entries",
    )
    # Venue
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    opening_days = models.CharField(_("open on"), max_length=7, blank=True, default="")  # "01234": Mon–Fri
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    facilities = models.CharField(_("facilities"), max_length=500, blank=True, default="")
    # Equipment
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    condition = models.CharField(_("condition"), max_length=16, choices=Condition.choices, blank=True, default="")
    # Fund
    amount = models.DecimalField(_("amount available (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True, default="")
    source = models.CharField(_("source"), max_length=128, blank=True, default="")
    # Resident unit
    offers = models.CharField(_("offers"), max_length=100, blank=True, default="")  # ",venues,funds,"
    # Social organisation
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True, default="")
    # Expert
    availability_days = models.CharField(_("available on"), max_length=7, blank=True, default="")
    availability_notes = models.CharField(_("availability notes"), max_length=200, blank=True, default="")

    last_confirmed_at = models.DateTimeField(_("last confirmed"), default=timezone.now, db_index=True)
    reminded_at = models.DateTimeField(_("steward reminded"), null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("library entry")
        verbose_name_plural = _("library entries")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind", "retired_at"], name="resource_kind_retired_idx")]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        # An expert is a person: the audit chain, which nobody may edit, names the entry, not the person.
        return f"{self.kind}#{self.pk}" if self.kind == ResourceKind.EXPERT else self.name

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def offer_list(self) -> list[str]:
        return [t for t in self.offers.split(",") if t]

    @property
    def is_stale(self) -> bool:
        return self.last_confirmed_at < stale_cutoff()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def open_on(self, day: datetime.date) -> bool:
        return not self.opening_days or str(day.weekday()) in self.opening_days


class Booking(models.Model):
    resource = models.ForeignKey(Resource, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    purpose = models.CharField(_("purpose"), max_length=200)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="bookings"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=BookingState.choices, default=BookingState.REQUESTED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue booking")
        verbose_name_plural = _("venue bookings")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["resource", "starts_at"], name="booking_resource_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"
