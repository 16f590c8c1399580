from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "linli.cases"
    label = "cases"
    verbose_name = _("Requests and cases")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register, register_work_places
        from linli.core.schedule import register as register_periodic

        from .scoping import case_part_rule, case_places, cases_rule
        from .tasks import anchor_timelines, sweep_cases

        register("cases.case", cases_rule)
        for part in ("caseevent", "casephoto", "caseassignment", "casereturn", "caseapproval", "whistlecall"):
            register(f"cases.{part}", case_part_rule)
        register("cases.deadlinerule", catalogue_rule)
        register_work_places(case_places)
        register_periodic("cases.sweep", sweep_cases, lambda: timedelta(seconds=settings.CASE_SWEEP_SECONDS))
        register_periodic("cases.anchor", anchor_timelines, lambda: timedelta(minutes=settings.CASE_ANCHOR_MINUTES))
