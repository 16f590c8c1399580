from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "linli.people"
    label = "people"
    verbose_name = _("People, households and houses")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register

        from . import scoping

        register("people.person", scoping.persons_rule)
        for part in ("householdmember", "caretag", "carevisit", "partymembership", "consent"):
            register(f"people.{part}", scoping.person_part_rule)
        for at_house in ("house", "household", "ownership", "tenancy"):
            register(f"people.{at_house}", scoping.house_rule)
        register("people.carerule", catalogue_rule)
        register("people.retentionrule", catalogue_rule)
        register("people.purgedcount", scoping.purged_count_rule)
        register("people.registryimport", scoping.import_rule)
