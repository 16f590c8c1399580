from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimebankConfig(AppConfig):
    name = "linli.timebank"
    label = "timebank"
    verbose_name = _("Time bank")

    def ready(self) -> None:
        from . import scoping

        scoping.register_rules()
