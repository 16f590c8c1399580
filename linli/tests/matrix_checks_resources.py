"""The scope matrix's checks for the resource library's read paths (linli.resources)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .matrix_checks import Probe, _detail, _leaks, _xlsx_leaks

LABEL = "resources.resource"

RESOURCE_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "resources:search": lambda p, u: _leaks(p, u()),
    "resources:export": lambda p, u: _xlsx_leaks(p, u()),
    "resources:detail": lambda p, u: _detail(p, LABEL, lambda o: u(pk=o.pk)),
    "resources:edit": lambda p, u: _detail(p, LABEL, lambda o: u(pk=o.pk), "change"),
    # Non-venues redirect to their page (inside) or are not found (outside), like the venues' calendars.
    "resources:calendar": lambda p, u: _detail(p, LABEL, lambda o: u(pk=o.pk)),
}


def resource_places(probe: Probe, pk_map: Callable[[str], dict[int, Any]]) -> set[int]:
    """Places a viewer's entries name (with their ancestors and the places they also serve): the entry's own
    story, not a leak of those places."""
    from linli.resources.models import Resource

    must = probe.want(LABEL)[0]
    out: set[int] = set()
    for entry in Resource.objects.filter(pk__in=must).select_related("place").prefetch_related("serves"):
        for place in [entry.place, *entry.serves.all()]:
            out |= {place.pk, *place.ancestor_ids}
    return out
