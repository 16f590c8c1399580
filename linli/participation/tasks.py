"""Closing owners' votes whose window has ended, as a task (registered with the scheduler in
ParticipationConfig.ready)."""

from __future__ import annotations

from django.tasks import task


@task()
def close_due_votes() -> int:
    from .actions.votes import close_due_votes as close

    return close()
