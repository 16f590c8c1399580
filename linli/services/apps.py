from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "linli.services"
    label = "services"
    verbose_name = _("Service catalogue and providers")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register

        from . import scoping

        register("services.servicekind", catalogue_rule)
        register("services.serviceoffer", scoping.offers_rule)
