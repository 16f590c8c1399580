"""Periodic jobs of the participation app, as tasks (registered with the scheduler in ParticipationConfig)."""

from __future__ import annotations

from django.tasks import task


@task()
def remind_vote_non_voters() -> int:
    from .notify_votes import send_due_reminders

    return send_due_reminders()
