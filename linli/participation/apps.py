from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "linli.participation"
    label = "participation"
    verbose_name = _("Deliberation and owners' votes")

    def ready(self) -> None:
        from linli.cases import timeline
        from linli.core.schedule import register as register_periodic

        from . import scoping
        from .actions.follow_up import after_case_event
        from .tasks import close_due_votes, remind_vote_non_voters

        scoping.register_rules()
        # A vote's result is published within a few minutes of its announced closing time.
        register_periodic("participation.close_votes", close_due_votes, lambda: timedelta(minutes=5))
        # Hourly look; each open vote's non-voters are reminded at most once a day (notify_votes.REMIND_EVERY).
        register_periodic("participation.vote_reminders", remind_vote_non_voters, lambda: timedelta(hours=1))
        # A topic is done by itself when the last case its decision opened closes.
        if after_case_event not in timeline.LISTENERS:
            timeline.LISTENERS.append(after_case_event)
