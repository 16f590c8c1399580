from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "linli.resources"
    label = "resources"
    verbose_name = _("Resources and experts")

    def ready(self) -> None:
        from linli.accounts.scopes import register
        from linli.core.schedule import register as register_periodic

        from . import scoping
        from .tasks import remind_stewards

        register("resources.resource", scoping.resource_rule)
        register("resources.booking", scoping.booking_rule)
        register_periodic("resources.stale_reminders", remind_stewards, lambda: timedelta(days=1))
