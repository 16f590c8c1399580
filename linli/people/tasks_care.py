"""The daily care-clock refresh as a task (registered with the scheduler in PeopleConfig.ready)."""

from __future__ import annotations

from django.tasks import task


@task()
def refresh_care_clocks() -> int:
    from .actions.care import refresh_lapsed_clocks

    return refresh_lapsed_clocks()
