from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "linli.dispatch"
    label = "dispatch"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        from linli.accounts.scopes import register

        from .scoping import decisions_rule

        register("dispatch.dispatchdecision", decisions_rule)
