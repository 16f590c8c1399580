from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "linli.dispatch"
    label = "dispatch"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        from linli.accounts.scopes import register, register_work_places

        from .scoping import decision_places, decisions_rule, examples_rule

        register("dispatch.dispatchdecision", decisions_rule)
        register("dispatch.trainingexample", examples_rule)
        register_work_places(decision_places)
