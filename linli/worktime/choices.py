from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """An exception to the Monday–Friday week: the only two kinds the State Council's notice publishes."""

    HOLIDAY = "holiday", _("Day off")  # 放假: a weekday off
    WORKDAY = "workday", _("Make-up working day")  # 调休上班: a weekend day worked


class ScheduleSource(models.TextChoices):
    LIBRARY = "library", _("Seeded from chinese-calendar")
    EXCEL = "excel", _("Imported from Excel")
    MANUAL = "manual", _("Edited by a person")
