"""Periodic jobs of the participation app, as tasks (registered with the scheduler in ParticipationConfig)."""

from __future__ import annotations

from django.tasks import task


@task()
def close_due_votes() -> int:
    from .actions.votes import close_due_votes as close

    return close()


@task()
def remind_vote_non_voters() -> int:
    from .notify_votes import send_due_reminders

    return send_due_reminders()
