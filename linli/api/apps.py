from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "linli.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from linli.accounts.scopes import register

        from .scoping import tokens_rule

        register("api.apitoken", tokens_rule)
