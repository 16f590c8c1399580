"""The registry of people, households and houses (DESIGN §7): entered once, read by every module.

Identity numbers and phones are Fernet-encrypted columns with a keyed digest beside each, so an exact
search is an index lookup and the database never holds the clear value. Nothing here is deleted to record
a change of life: moving out ends a membership (`left_on`), an ended tag keeps its row (`valid_to`); only
the retention purge (linli.people.retention) removes a person, and it keeps anonymous counts.

A person's `place` is where they live now (a house, or the community when no house is known); scoping reads
it, so "the people of my grid" is one index range on the place path.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, digest
from linli.core.querysets import RestrictedQuerySet

from .choices import (
    ADULT_AGE,
    CareTagKind,
    ConsentChannel,
    ConsentPurpose,
    Gender,
    HouseholdKind,
    HouseUse,
    IdType,
    ImportKind,
    ImportStatus,
    Relation,
    Residency,
    TagSource,
    VisitOutcome,
)


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


class PersonQuerySet(RestrictedQuerySet["Person"]):
    def current(self) -> PersonQuerySet:
        return self.filter(left_on__isnull=True)


class Person(models.Model):
    name = models.CharField(_("name"), max_length=64, db_index=True)
    id_type = models.CharField(
        _("identity document"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = EncryptedTextField(_("identity number"), blank=True, default="")
    id_digest = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    # Not unique: a household shares a landline, an elder is reached on a child's mobile.
    phone_digest = models.CharField(max_length=64, null=True, blank=True, db_index=True, editable=False)
    ethnicity = models.CharField(_("ethnicity"), max_length=16, blank=True)
    residency = models.CharField(_("residency type"), max_length=16, choices=Residency.choices, db_index=True)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("lives at"), on_delete=models.PROTECT, related_name="residents"
    )
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True, db_index=True)
    # Sensitive beyond a minor's age (a protected witness, a victim of domestic violence): masked more strictly.
    marked_sensitive = models.BooleanField(_("sensitive record"), default=False)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # The care-visit clock: the shortest interval among the person's tags in force, and when the next is due.
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True, db_index=True)
    last_visited_at = models.DateTimeField(_("last visited at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "birth_date"], name="person_name_birth_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(arrived_on__isnull=True)
                | models.Q(left_on__gte=models.F("arrived_on")),
                name="person_leaves_after_arriving",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id_digest = digest(self.id_number) if self.id_number else None
        self.phone_digest = digest(self.phone) if self.phone else None
        super().save(*args, **kwargs)

    def audit_label(self) -> str:
        return f"person #{self.pk}"

    def age(self, day: datetime.date | None = None) -> int | None:
        return age_on(self.birth_date, day or timezone.localdate())

    @property
    def is_minor(self) -> bool:
        age = self.age()
        return age is not None and age < ADULT_AGE

    @property
    def is_sensitive(self) -> bool:
        """Minors' records and those marked sensitive: masked more strictly, revealed only with a reason."""
        return self.marked_sensitive or self.is_minor


class House(models.Model):
    """What the registry knows of a house (房屋), a leaf of the place tree."""

    place = models.OneToOneField(
        "places.Place", verbose_name=_("house"), primary_key=True, on_delete=models.PROTECT, related_name="house"
    )
    area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    use = models.CharField(_("use"), max_length=16, choices=HouseUse.choices, default=HouseUse.OWNER_OCCUPIED)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")

    def __str__(self) -> str:
        return str(self.place)


class Household(models.Model):
    number = models.CharField(_("household number"), max_length=32, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=HouseholdKind.choices, default=HouseholdKind.FAMILY)
    house = models.ForeignKey(
        "places.Place", verbose_name=_("house"), on_delete=models.PROTECT, related_name="registered_households"
    )
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["house_id", "pk"]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="members"
    )
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "left_on", "pk"]
        constraints = [
            # A person belongs to one household at a time; past memberships stay as history.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(left_on__isnull=True), name="one_current_household"
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(left_on__isnull=True, relation=Relation.HEAD),
                name="one_current_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.person} · {self.get_relation_display()}"


class Ownership(models.Model):
    """One owner of a house (the owners' roll voting reads): a person, or an organisation such as the
    developer holding unsold parts. Co-owners of one house each have a row with their share."""

    house = models.ForeignKey("places.Place", verbose_name=_("house"), on_delete=models.PROTECT, related_name="owners")
    person = models.ForeignKey(
        Person, verbose_name=_("owner"), null=True, blank=True, on_delete=models.CASCADE, related_name="ownerships"
    )
    organisation = models.CharField(_("owning organisation"), max_length=128, blank=True)
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4, default=1)
    area = models.DecimalField(_("exclusive area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    certificate = models.CharField(_("title certificate number"), max_length=64, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        ordering = ["house_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | ~models.Q(organisation=""), name="owner_is_someone"
            ),
            models.CheckConstraint(condition=models.Q(share__gt=0, share__lte=1), name="ownership_share_range"),
        ]

    def __str__(self) -> str:
        return f"{self.house_id} · {self.person or self.organisation}"


class Tenancy(models.Model):
    house = models.ForeignKey(
        "places.Place", verbose_name=_("house"), on_delete=models.PROTECT, related_name="tenancies"
    )
    person = models.ForeignKey(Person, verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="tenancies")
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["house_id", "pk"]

    def __str__(self) -> str:
        return f"{self.house_id} · {self.person}"


class CareRule(models.Model):
    """How often people with a tag are visited; editable, seeded from choices.DEFAULT_VISIT_DAYS."""

    tag = models.CharField(_("tag"), max_length=32, choices=CareTagKind.choices, unique=True)
    visit_every_days = models.PositiveSmallIntegerField(_("visit every (days)"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("care visit rule")
        verbose_name_plural = _("care visit rules")
        ordering = ["tag"]

    def __str__(self) -> str:
        return f"{self.get_tag_display()}: {self.visit_every_days or '—'}"


class CareTag(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="care_tags")
    tag = models.CharField(_("tag"), max_length=32, choices=CareTagKind.choices, db_index=True)
    source = models.CharField(_("source"), max_length=32, choices=TagSource.choices)
    source_note = models.CharField(_("source detail"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("care tag")
        verbose_name_plural = _("care tags")
        ordering = ["person_id", "tag", "valid_from"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_tag_display()}"

    def in_force(self, day: datetime.date | None = None) -> bool:
        today = day or timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)


def visit_photo_path(instance: CareVisit, filename: str) -> str:
    return f"visits/{timezone.now():%Y/%m}/{filename}"


class CareVisit(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visitor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=VisitOutcome.choices, default=VisitOutcome.WELL)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    photo = models.FileField(_("photo"), upload_to=visit_photo_path, blank=True)
    was_due = models.DateField(_("was due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.person} @ {self.visited_at:%Y-%m-%d}"

    @property
    def late(self) -> bool:
        return self.was_due is not None and timezone.localdate(self.visited_at) > self.was_due


class PartyMembership(models.Model):
    """A party member's home organisation and their 双报到 registration with the community they live in."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="party")
    organisation = models.CharField(_("party organisation"), max_length=128)
    joined_party_on = models.DateField(_("joined the party on"), null=True, blank=True)
    reported_to = models.ForeignKey(
        "places.Place",
        verbose_name=_("reported to (双报到)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")

    def __str__(self) -> str:
        return f"{self.person} · {self.organisation}"


class Consent(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    channel = models.CharField(_("how given"), max_length=16, choices=ConsentChannel.choices)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["person_id", "purpose", "given_on"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_purpose_display()}"


class RetentionRule(models.Model):
    residency = models.CharField(_("residency type"), max_length=16, choices=Residency.choices, unique=True)
    keep_years = models.PositiveSmallIntegerField(_("kept for (years after leaving)"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.get_residency_display()}: {self.keep_years}"


class PurgedCount(models.Model):
    """What the retention purge keeps of the people it removed: counts, never a person."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    left_year = models.PositiveSmallIntegerField(_("year left"))
    residency = models.CharField(_("residency type"), max_length=16, choices=Residency.choices)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=8)
    count = models.PositiveIntegerField(_("count"), default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("purged count")
        verbose_name_plural = _("purged counts")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "left_year", "residency", "gender", "age_band"], name="purged_count_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.left_year} {self.residency} {self.age_band}: {self.count}"


class RegistryImport(models.Model):
    """One upload of persons or houses, checked and written by a background task (large files take a minute).

    The file waits here encrypted (it is full of identity numbers) and is dropped once the import ends;
    progress is counted as rows are checked, and the write is one transaction: all rows or none."""

    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    filename = models.CharField(_("file"), max_length=200)
    payload = models.BinaryField(editable=False, default=b"")  # Fernet-encrypted file bytes until done
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    scope_place = models.ForeignKey(
        "places.Place", verbose_name=_("into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    checked_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.JSONField(_("created"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [[row number, message], …], capped
    error_count = models.PositiveIntegerField(_("bad rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
