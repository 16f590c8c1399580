"""Reads of the working calendar, scoped like every other read."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import CalendarDay, CalendarYear


def days_for(user: Any, year: int) -> models.QuerySet[CalendarDay]:
    return CalendarDay.objects.restrict(user).filter(date__year=year).order_by("date")


def years_for(user: Any) -> models.QuerySet[CalendarYear]:
    return CalendarYear.objects.restrict(user).order_by("-year")
