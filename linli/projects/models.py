"""Project packages (项目包) and open calls (揭榜), DESIGN §9: a need becomes a project with goal, budget, place,
deadline and resources; the community assigns it (组织委派) or publishes it (自主揭榜) for claims; the chosen
claimant reports progress with photos and reports it done; residents of the place rate it; the community
closes it. Every change appends one ProjectEvent (linli.projects.events), never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

from .choices import ClaimState, EventKind, ProjectState


class ProjectQuerySet(RestrictedQuerySet["Project"]):
    def open_calls(self) -> ProjectQuerySet:
        return self.filter(state=ProjectState.PUBLISHED)


class Project(models.Model):
    title = models.CharField(_("title"), max_length=120)
    goal = models.TextField(_("goal"), max_length=3000)
    need = models.TextField(_("need"), max_length=2000, blank=True)
    source_case = models.ForeignKey(
        "cases.Case", verbose_name=_("from request"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A link to another source ("participation.topic:12"): the deliberation app will fill it.
    source_ref = models.CharField(_("source"), max_length=64, null=True, blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    place = models.ForeignKey("places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline"))
    resources = models.JSONField(_("resources needed"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.DRAFT, db_index=True
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.CharField(_("organisation or team"), max_length=120, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField(_("organisation or team"), max_length=120)
    proposal = models.TextField(_("proposal"), max_length=3000)
    requested_budget = models.DecimalField(_("requested budget (yuan)"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=16, choices=ClaimState.choices, default=ClaimState.SUBMITTED)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["project", "claimant"], name="one_claim_per_claimant")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.organisation}"


class ProgressReport(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("report"), max_length=3000)
    final = models.BooleanField(_("reports the project done"), default=False)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.created_at:%Y-%m-%d}"


def photo_path(instance: ProgressPhoto, filename: str) -> str:
    return f"projects/{instance.report.project_id}/{filename}"


class ProgressPhoto(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_path)
    content_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file.name or ""


class Rating(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "rater"], name="one_rating_per_resident"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.score}"


class ProjectEvent(models.Model):
    """Append-only: written by linli.projects.events alone, one per action."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    old_state = models.CharField(max_length=16, choices=ProjectState.choices, blank=True)
    new_state = models.CharField(max_length=16, choices=ProjectState.choices, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("project events are append-only")
        super().save(*args, **kwargs)
