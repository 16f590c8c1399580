from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "linli.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from linli.accounts.scopes import register

        from .scoping import notices_rule

        register("notices.notice", notices_rule)
