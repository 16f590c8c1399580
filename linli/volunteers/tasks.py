"""The volunteers' periodic jobs as tasks (registered with the scheduler in VolunteersConfig.ready)."""

from __future__ import annotations

from django.tasks import task


@task()
def mark_no_shows() -> int:
    from .actions.attendance import mark_no_shows as mark

    return mark()


@task()
def remove_expired_certificates() -> int:
    from .actions.expiry import remove_expired_certificates as remove

    return remove()
