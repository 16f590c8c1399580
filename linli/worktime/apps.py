from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "linli.worktime"
    label = "worktime"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from linli.accounts.scopes import register

        from .scoping import calendar_rule

        register("worktime.calendarday", calendar_rule)
        register("worktime.calendaryear", calendar_rule)
