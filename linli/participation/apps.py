from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "linli.participation"
    label = "participation"
    verbose_name = _("Deliberation and owners' votes")

    def ready(self) -> None:
        from linli.cases import timeline

        from . import scoping
        from .actions.follow_up import after_case_event

        scoping.register_rules()
        # A topic is done by itself when the last case its decision opened closes.
        if after_case_event not in timeline.LISTENERS:
            timeline.LISTENERS.append(after_case_event)
