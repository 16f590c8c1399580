"""Volunteers, their certificates, the community's activities and standing posts, and sign-ups (DESIGN §9).

A volunteer is a registry person (linli.people.Person) with, when they have one, their user account; party
members' 双报到 stays in linli.people.PartyMembership and is only shown here. A standing post is a pattern:
its shifts are generated as Activity rows of kind "shift", so that sign-up, check-in and hours work the same
way for both. A Signup is also the attendance: one per volunteer and activity, credited once to the time
bank under the ref "volunteers.attendance:<signup pk>".
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

from .choices import (
    ActivityKind,
    CertificateKind,
    Language,
    PostKind,
    ServiceRole,
    SignupState,
    VolunteerState,
)


def split_codes(text: str) -> list[str]:
    return [c for c in (text or "").split(",") if c]


def join_codes(codes: Any) -> str:
    """Several choices in one column as ",a,b,": a filter for one is `__contains=",a,"` on every database."""
    found = sorted({str(c) for c in codes if c})
    return f",{','.join(found)}," if found else ""


class Skill(models.Model):
    """The small, editable catalogue of skills volunteers offer and activities want."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    # Only while PENDING: the name a resident gave before the community registered them (cleared after).
    applicant_name = models.CharField(_("name given"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=VolunteerState.choices, default=VolunteerState.ACTIVE, db_index=True
    )
    roles = models.CharField(_("service roles"), max_length=200, blank=True, db_index=True)
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="volunteers")
    availability = models.JSONField(_("availability"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(state="pending"),
                name="volunteer_is_a_person_unless_pending",
            )
        ]

    def __str__(self) -> str:
        return f"volunteer #{self.pk}"

    def audit_label(self) -> str:
        return f"volunteer #{self.pk}"

    @property
    def name(self) -> str:
        return self.person.name if self.person_id else self.applicant_name  # type: ignore[union-attr]

    @property
    def role_list(self) -> list[str]:
        return split_codes(self.roles)

    @property
    def language_list(self) -> list[str]:
        return split_codes(self.languages)

    def role_labels(self) -> list[str]:
        return [str(ServiceRole(r).label) for r in self.role_list if r in ServiceRole.values]

    def language_labels(self) -> list[str]:
        return [str(Language(r).label) for r in self.language_list if r in Language.values]


def certificate_path(instance: Certificate, filename: str) -> str:
    return f"volunteers/certificates/{instance.volunteer_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-40:]}"


class Certificate(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="certificates"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=CertificateKind.choices)
    number = models.CharField(_("certificate number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True, db_index=True)
    scan = models.FileField(_("scan"), upload_to=certificate_path, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["volunteer_id", "kind", "-expires_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.volunteer_id}"

    def valid_on(self, day: datetime.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class Post(models.Model):
    """A standing post (楼门长/楼栋长 duties, patrols, elder visits): a weekly pattern of shifts.

    `pattern` is a list of {"weekday": 0-6, "start": "HH:MM", "end": "HH:MM"}; shifts for the coming weeks
    are generated from it as activities of kind "shift"."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=32, choices=PostKind.choices, default=PostKind.OTHER)
    title = models.CharField(_("title"), max_length=120)
    duties = models.TextField(_("duties"), max_length=2000, blank=True)
    pattern = models.JSONField(_("weekly pattern"), default=list)
    needed = models.PositiveSmallIntegerField(_("volunteers per shift"), default=1)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills wanted"), blank=True, related_name="+")
    certificates = models.CharField(_("certificates required"), max_length=200, blank=True)
    auto_confirm = models.BooleanField(_("confirm sign-ups while places remain"), default=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("standing post")
        verbose_name_plural = _("standing posts")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"post #{self.pk}"

    @property
    def certificate_list(self) -> list[str]:
        return split_codes(self.certificates)

    def certificate_labels(self) -> list[str]:
        return [str(CertificateKind(k).label) for k in self.certificate_list if k in CertificateKind.values]


class Activity(models.Model):
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices, default=ActivityKind.ACTIVITY)
    post = models.ForeignKey(
        Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.CASCADE, related_name="shifts"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    needed = models.PositiveSmallIntegerField(_("volunteers needed"), default=1)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills wanted"), blank=True, related_name="+")
    certificates = models.CharField(_("certificates required"), max_length=200, blank=True)
    auto_confirm = models.BooleanField(_("confirm sign-ups while places remain"), default=False)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
            models.UniqueConstraint(fields=["post", "starts_at"], name="one_shift_per_post_and_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"activity #{self.pk}"

    @property
    def certificate_list(self) -> list[str]:
        return split_codes(self.certificates)

    def certificate_labels(self) -> list[str]:
        return [str(CertificateKind(k).label) for k in self.certificate_list if k in CertificateKind.values]

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Signup(models.Model):
    """A volunteer's place on an activity, and their attendance there."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="signups"
    )
    state = models.CharField(_("state"), max_length=16, choices=SignupState.choices, db_index=True)
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes credited"), null=True, blank=True)
    minutes_reason = models.CharField(_("why the minutes were adjusted"), max_length=200, blank=True)
    transfer = models.OneToOneField(
        "timebank.Transfer",
        verbose_name=_("time bank transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "signed_up_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="one_signup_per_activity")]

    def __str__(self) -> str:
        return f"sign-up #{self.pk}"

    def audit_label(self) -> str:
        return f"sign-up #{self.pk}"

    @property
    def ref(self) -> str:
        return f"volunteers.attendance:{self.pk}"
