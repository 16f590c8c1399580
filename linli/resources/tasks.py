"""The daily reminder to stewards of stale library entries, as a task (registered in ResourcesConfig.ready)."""

from __future__ import annotations

from django.tasks import task


@task()
def remind_stewards() -> int:
    from .actions import remind_stale_stewards

    return remind_stale_stewards()
