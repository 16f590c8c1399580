from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "linli.participation"
    label = "participation"
    verbose_name = _("Deliberation and owners' votes")

    def ready(self) -> None:
        from linli.core.schedule import register as register_periodic

        from . import scoping
        from .tasks import close_due_votes

        scoping.register_rules()
        # A vote's result is published within a few minutes of its announced closing time.
        register_periodic("participation.close_votes", close_due_votes, lambda: timedelta(minutes=5))
