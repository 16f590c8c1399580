from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "linli.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from linli.accounts.scopes import catalogue_rule, register
        from linli.cases import timeline

        from . import scoping, scoping_reverse
        from .facts import after_event

        register("assessment.casefact", scoping.fact_rule)
        register("assessment.unitdaystat", scoping.unit_stat_rule)
        register("assessment.placedaystat", scoping.place_stat_rule)
        register("assessment.scheme", catalogue_rule)
        register("assessment.exchangerating", scoping_reverse.rating_rule)
        register("assessment.surveyanswer", scoping_reverse.rating_rule)
        register("assessment.reversesurvey", scoping_reverse.survey_rule)
        if after_event not in timeline.LISTENERS:
            timeline.LISTENERS.append(after_event)
