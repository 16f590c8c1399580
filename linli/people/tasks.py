"""Background work of the registry, through Django's tasks interface (the database worker by default)."""

from __future__ import annotations

from django.tasks import task


@task()
def run_registry_import(job_id: int) -> str:
    """Check and write one uploaded file (linli.people.imports.run); a second delivery does nothing."""
    from .imports import run

    return run(job_id)
