"""The official working calendar: exceptions to the Monday–Friday week, and which years are loaded.

A year's schedule (放假 and 调休上班 days) is published late in the year before, so the table is edited by
people; `CalendarYear` says which years hold a complete schedule and where it came from. A year without a
row counts weekends only (linli.worktime.clock) and district command is warned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.querysets import RestrictedQuerySet

from .choices import DayKind, ScheduleSource


class CalendarDay(models.Model):
    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=128, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=16, choices=ScheduleSource.choices)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return f"{self.year} ({self.get_source_display()})"
