"""Assessment figures (DESIGN §6), derived from the case timelines and never typed.

Two layers keep them current as events happen, so no nightly scan is needed for correctness:

- `CaseFact`, one row per dispatched case, is the fold of its timeline (linli.assessment.facts): who answers
  for it, the day it was first dispatched, and what happened (contacted in time, resolved on time, rated …);
- `UnitDayStat` and `PlaceDayStat` sum the facts per (unit or grid, day, class). Every fact change adds its
  new contribution and subtracts its old one, in the same transaction as the event. A period's figures are
  sums over its days, so any period (day, week, month, quarter, year, custom) reads a few hundred rows.

`manage.py recompute_assessment` folds every timeline again from scratch and compares with what is kept.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

# The counters a fact contributes to its unit's and its grid's day; the rates are ratios of these.
COUNTERS = (
    "cases",  # dispatched, neither invalid nor merged into another
    "contacted",
    "contacted_in_time",
    "contact_seconds",
    "resolved",
    "resolved_on_time",
    "resolve_seconds",
    "overdue",
    "extended",
    "returned",
    "reopened",
    "rated",
    "rated_resolved",
    "satisfied",
    "basic",
    "unsatisfied",
    "dispatches",
    "misdispatches",  # dispatches a review found wrong (a return upheld)
)


class CaseFact(models.Model):
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("accountable unit"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("first dispatched on"), null=True)
    category = models.CharField(_("class"), max_length=16, blank=True)
    grid = models.ForeignKey(
        "places.Place", verbose_name=_("grid"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    first_dispatch_at = models.DateTimeField(null=True)
    counted = models.BooleanField(default=True)  # False once invalid, or merged into another case
    state = models.JSONField(default=dict)  # the fold's running state (see facts.Fold)
    contribution = models.JSONField(default=dict)  # what this fact adds to its day rows now

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("case fact")
        verbose_name_plural = _("case facts")
        indexes = [
            models.Index(fields=["unit", "day"], name="fact_unit_day_idx"),
            models.Index(fields=["grid", "day"], name="fact_grid_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.unit_id} @ {self.day}"


class Counters(models.Model):
    """The day row's sums, one column per name in COUNTERS."""

    cases = models.BigIntegerField(default=0)
    contacted = models.BigIntegerField(default=0)
    contacted_in_time = models.BigIntegerField(default=0)
    contact_seconds = models.BigIntegerField(default=0)
    resolved = models.BigIntegerField(default=0)
    resolved_on_time = models.BigIntegerField(default=0)
    resolve_seconds = models.BigIntegerField(default=0)
    overdue = models.BigIntegerField(default=0)
    extended = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    reopened = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rated_resolved = models.BigIntegerField(default=0)
    satisfied = models.BigIntegerField(default=0)
    basic = models.BigIntegerField(default=0)
    unsatisfied = models.BigIntegerField(default=0)
    dispatches = models.BigIntegerField(default=0)
    misdispatches = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class UnitDayStat(Counters):
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=16, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit's day")
        verbose_name_plural = _("units' days")
        constraints = [models.UniqueConstraint(fields=["unit", "day", "category"], name="unit_day_stat_key")]
        indexes = [models.Index(fields=["day", "unit"], name="unit_day_stat_day_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.category}"


class PlaceDayStat(Counters):
    """Per grid (or the case's place when it lies above any grid): what maps and place dashboards read."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=16, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("place's day")
        verbose_name_plural = _("places' days")
        constraints = [models.UniqueConstraint(fields=["place", "day", "category"], name="place_day_stat_key")]
        indexes = [models.Index(fields=["day", "place"], name="place_day_stat_day_idx")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.day} {self.category}"


class Scheme(models.Model):
    """How the composite score weighs the 三率, and what 基本满意 counts for (DESIGN §6); one row in force."""

    name = models.CharField(_("name"), max_length=64)
    weight_response = models.DecimalField(_("weight of the response rate"), max_digits=4, decimal_places=3)
    weight_resolution = models.DecimalField(_("weight of the resolution rate"), max_digits=4, decimal_places=3)
    weight_satisfaction = models.DecimalField(_("weight of the satisfaction rate"), max_digits=4, decimal_places=3)
    basic_factor = models.DecimalField(_("basically satisfied counts as"), max_digits=4, decimal_places=3)
    valid_from = models.DateField(_("valid from"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["-valid_from", "-pk"]

    def __str__(self) -> str:
        return self.name


# Reverse assessment (反向考核) lives in its own module; imported here so that Django registers its models.
from .models_reverse import ExchangeRating, ReverseSurvey, SurveyAnswer  # noqa: E402, F401
