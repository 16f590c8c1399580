"""Dispatch decisions, the training data they feed, and the versioned models that make them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet
from linli.orgs.choices import MatterClass

from .choices import Channel, DecisionMode, ExampleSource, ModelStatus


class DispatchModel(models.Model):
    """One trained classifier: a file on disk plus the figures that justified promoting it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    file = models.CharField(_("file"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=ModelStatus.choices, default=ModelStatus.CANDIDATE, db_index=True
    )
    threshold = models.FloatField(_("auto-dispatch threshold"))
    metrics = models.JSONField(_("held-out metrics"), default=dict)
    params = models.JSONField(_("hyperparameters"), default=dict)
    train_size = models.PositiveIntegerField(_("training examples"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    refusal = models.TextField(_("why refused"), blank=True)

    class Meta:
        verbose_name = _("dispatch model")
        verbose_name_plural = _("dispatch models")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"

    @property
    def held_out_auto_dispatch(self) -> dict[str, float | None] | None:
        """On the held-out slice, in percent: how many messages reached the threshold and how many of those
        the model got right (None when nobody reached it). None for models judged before this was stored."""
        report = (self.metrics or {}).get("auto_dispatch") or {}
        if report.get("share") is None:
            return None
        precision = report.get("precision")
        return {"share": 100 * report["share"], "precision": None if precision is None else 100 * precision}


class DecisionQuerySet(RestrictedQuerySet["DispatchDecision"]):
    pass


class DispatchDecision(models.Model):
    """What the engine decided for one text and place, and why; kept so the case page can explain an
    automated decision and a person can override it (PIPL art. 24)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case_ref = models.CharField(_("case reference"), max_length=64, blank=True, db_index=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    title = models.TextField(_("title"), blank=True)
    body = models.TextField(_("body"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    model = models.ForeignKey(
        DispatchModel,
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("predicted class"), max_length=16, choices=MatterClass.choices, blank=True)
    matter = models.ForeignKey(
        "orgs.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confidence = models.FloatField(_("confidence"), default=0)
    threshold = models.FloatField(_("threshold"), default=0)
    mode = models.CharField(_("mode"), max_length=8, choices=DecisionMode.choices, db_index=True)
    probabilities = models.JSONField(_("class probabilities"), default=dict)
    reasons = models.JSONField(_("reasons"), default=dict)
    suggestions = models.JSONField(_("suggestions"), default=list)
    final_matter = models.ForeignKey(
        "orgs.Matter", verbose_name=_("final matter"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("final unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_category = models.CharField(_("final class"), max_length=16, choices=MatterClass.choices, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch decision")
        verbose_name_plural = _("dispatch decisions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_mode_display()} {self.category}"


class TrainingExample(models.Model):
    title = models.TextField(_("title"), blank=True)
    body = models.TextField(_("body"), blank=True)
    label = models.CharField(_("class"), max_length=16, choices=MatterClass.choices, db_index=True)
    # The matter a person chose: routing learns the city's own responsibility list from these, not only
    # the seven broad classes (linli.dispatch.learned).
    matter = models.ForeignKey(
        "orgs.Matter", verbose_name=_("matter"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=ExampleSource.choices)
    decision = models.OneToOneField(
        DispatchDecision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_example",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("training example")
        verbose_name_plural = _("training examples")

    def __str__(self) -> str:
        return f"{self.label}: {self.title[:30]}"
