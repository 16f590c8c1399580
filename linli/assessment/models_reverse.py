"""Reverse assessment (反向考核, DESIGN §6: communities rate their street, streets rate departments).

Two sources, kept apart so each figure says where it comes from:

- `ExchangeRating`: a rating of one thing two units did together on one case — a return (退单) and its review,
  a whistle (吹哨) and its answer, co-handling — given by the unit of the case's place (linli.assessment.exchanges
  says which exchanges exist);
- `ReverseSurvey` and `SurveyAnswer`: a periodic questionnaire (monthly by default) that district command
  opens with its weighted questions; each rater unit answers once per rated unit and period.

Written only by linli.assessment.actions_reverse; read through the rules in linli.assessment.scoping_reverse.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.cases.choices import Rating
from linli.core.querysets import RestrictedQuerySet
from linli.orgs.choices import UnitKind


class ExchangeKind(models.TextChoices):
    RETURN = "return", _("Return")
    WHISTLE = "whistle", _("Whistle")
    CO_HANDLING = "co", _("Co-handling")


# Who rates whom: the rater unit's kind → the kind of unit it rates.
RATED_KIND: dict[str, str] = {
    UnitKind.COMMUNITY_COMMITTEE: UnitKind.STREET_OFFICE,
    UnitKind.STREET_OFFICE: UnitKind.DISTRICT_DEPARTMENT,
}


class RaterKind(models.TextChoices):
    COMMUNITY = UnitKind.COMMUNITY_COMMITTEE.value, _("Communities rate their street office")
    STREET = UnitKind.STREET_OFFICE.value, _("Streets rate district departments")


class ExchangeRating(models.Model):
    rater_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("rating unit"), on_delete=models.PROTECT, related_name="+"
    )
    rated_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("rated unit"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what was exchanged"), max_length=16, choices=ExchangeKind.choices)
    score = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("rated at"), db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange rating")
        verbose_name_plural = _("exchange ratings")
        ordering = ["-at", "-pk"]
        constraints = [
            # One rating per thing exchanged: a whistle that summoned three departments is three exchanges.
            models.UniqueConstraint(fields=["rater_unit", "rated_unit", "case", "kind"], name="exchange_rating_once")
        ]
        indexes = [models.Index(fields=["rated_unit", "at"], name="exchange_rating_rated_idx")]

    def __str__(self) -> str:
        return f"{self.rater_unit_id} → {self.rated_unit_id} #{self.case_id} {self.kind}: {self.score}"


class ReverseSurvey(models.Model):
    """One period's questionnaire for one direction (communities → street, or streets → departments) in one
    district. `questions` is a list of {"key", "text", "weight"}; it may change until the first answer."""

    district = models.ForeignKey("places.Place", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    period = models.DateField(_("period starts"))
    months = models.PositiveSmallIntegerField(_("months"), default=1)
    rater_kind = models.CharField(_("who rates"), max_length=32, choices=RaterKind.choices)
    rated_kind = models.CharField(_("who is rated"), max_length=32, choices=UnitKind.choices)
    questions = models.JSONField(_("questions"), default=list)
    closes_on = models.DateField(_("answers accepted until"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reverse survey")
        verbose_name_plural = _("reverse surveys")
        ordering = ["-period", "rater_kind"]
        constraints = [
            models.UniqueConstraint(fields=["district", "period", "rater_kind"], name="reverse_survey_once"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.period:%Y-%m} {self.rater_kind}"

    @property
    def period_end(self) -> datetime.date:
        year, month = divmod(self.period.month - 1 + self.months, 12)
        return datetime.date(self.period.year + year, month + 1, 1) - datetime.timedelta(days=1)

    def is_open(self, day: datetime.date) -> bool:
        return self.period <= day <= self.closes_on


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(
        ReverseSurvey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="answers"
    )
    rater_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("rating unit"), on_delete=models.PROTECT, related_name="+"
    )
    rated_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("rated unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField(_("period starts"))  # the survey's, kept here for the one-answer rule
    scores = models.JSONField(_("scores"), default=dict)  # question key → 1..5
    score = models.FloatField(_("score (0–100)"))  # the weighted mean, normalised, as the survey weighed it
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("answered at"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["rater_unit", "rated_unit", "period"], name="survey_answer_once"),
        ]
        indexes = [models.Index(fields=["rated_unit", "period"], name="survey_answer_rated_idx")]

    def __str__(self) -> str:
        return f"{self.rater_unit_id} → {self.rated_unit_id} {self.period:%Y-%m}: {self.score:.1f}"
