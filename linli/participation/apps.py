from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "linli.participation"
    label = "participation"
    verbose_name = _("Deliberation and owners' votes")

    def ready(self) -> None:
        from datetime import timedelta

        from linli.core.schedule import register as register_periodic

        from . import scoping
        from .tasks import remind_vote_non_voters

        scoping.register_rules()
        # Hourly look; each open vote's non-voters are reminded at most once a day (notify_votes.REMIND_EVERY).
        register_periodic("participation.vote_reminders", remind_vote_non_voters, lambda: timedelta(hours=1))
