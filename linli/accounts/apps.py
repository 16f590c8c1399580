from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connects the audit receivers for failed and locked-out logins, and the SMS backend's check.
        from . import sms, throttle  # noqa: F401
