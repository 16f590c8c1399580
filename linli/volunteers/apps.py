from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "linli.volunteers"
    label = "volunteers"
    verbose_name = _("Volunteers and activities")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register
        from linli.core.schedule import register as register_periodic

        from . import scoping
        from .tasks import mark_no_shows, remove_expired_certificates

        register("volunteers.skill", catalogue_rule)
        register("volunteers.volunteer", scoping.volunteer_rule)
        register("volunteers.certificate", scoping.certificate_rule)
        register("volunteers.post", scoping.activity_rule)
        register("volunteers.activity", scoping.activity_rule)
        register("volunteers.signup", scoping.signup_rule)
        register_periodic("volunteers.no_shows", mark_no_shows, lambda: timedelta(hours=1))
        register_periodic("volunteers.certificates", remove_expired_certificates, lambda: timedelta(days=1))
