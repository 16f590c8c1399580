from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "linli.worktime"
    label = "worktime"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register

        # A public catalogue, read and changed like the responsibility list.
        register("worktime.calendarday", catalogue_rule)
        register("worktime.calendaryear", catalogue_rule)
