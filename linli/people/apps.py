from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "linli.people"
    label = "people"
    verbose_name = _("People, households and houses")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register
        from linli.core.schedule import register as register_periodic

        from . import scoping
        from .tasks_care import refresh_care_clocks
        from .tasks_retention import purge_expired_people

        register("people.person", scoping.persons_rule)
        for part in ("householdmember", "caretag", "carevisit", "partymembership", "consent"):
            register(f"people.{part}", scoping.person_part_rule)
        for at_house in ("house", "household", "ownership", "tenancy"):
            register(f"people.{at_house}", scoping.house_rule)
        register("people.carerule", catalogue_rule)
        register("people.retentionrule", catalogue_rule)
        register("people.purgedcount", scoping.purged_count_rule)
        register("people.registryimport", scoping.import_rule)
        register_periodic("people.purge", purge_expired_people, lambda: timedelta(days=1))
        register_periodic("people.care_clocks", refresh_care_clocks, lambda: timedelta(days=1))
