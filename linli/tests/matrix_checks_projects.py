"""The scope matrix's checks for the project packages' read paths (linli.projects): the index lists exactly
the open calls in reach and no project out of reach; a project out of reach is a 404, and a project's page
lists exactly the claims and photos of it the viewer may read (never a rival claimant's proposal); a photo
out of reach is a 404. Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from .matrix_checks import DENIED, Probe, _detail, _pk_map

LABEL = "projects.project"
PROJECT_ROW = re.compile(r'data-project="(\d+)"')
CLAIM_ROW = re.compile(r'data-claim="(\d+)"')


def _no_outside_markers(probe: Probe, url: str, body: str) -> None:
    for label, text, pattern in probe.outside_markers():
        probe.check(not pattern.search(body), f"GET {url} shows outside {label} {text!r}")


def _index(probe: Probe, url: str) -> None:
    """Every open call in reach is listed; nothing listed is out of reach (the staff's and claimants' own
    lists included); no outside marker anywhere on the page."""
    must, never = probe.want(LABEL)
    response = probe.client.get(url)
    if response.status_code != 200:
        probe.check(response.status_code in DENIED, f"GET {url} → {response.status_code}")
        return
    body = response.content.decode()
    listed = {int(pk) for pk in PROJECT_ROW.findall(body)}
    projects = _pk_map(LABEL)
    for pk in sorted(must):
        if projects[pk].state == "published":
            probe.check(pk in listed, f"GET {url}: open call {projects[pk].title} inside, not listed")
    for pk in sorted(never):
        probe.check(pk not in listed, f"GET {url}: project {projects[pk].title} outside, listed")
    probe.check(listed <= must, f"GET {url}: lists projects {sorted(listed - must)} the spec does not give")
    _no_outside_markers(probe, url, body)


def _parts_of(label: str, project_of: Callable[[Any], int]) -> dict[int, int]:
    return {pk: project_of(row) for pk, row in _pk_map(label).items()}


def _project_detail(probe: Probe, url_of: Callable[[Any], str]) -> None:
    """Inside → 200 (or the page's own gate), outside → 404; on every project in reach that has claims or
    photos, exactly the claims and photos the viewer may read."""
    _detail(probe, LABEL, url_of)
    must = probe.want(LABEL)[0]
    claim_must, claim_never = probe.want("projects.claim")
    photo_must, photo_never = probe.want("projects.progressphoto")
    claims = _parts_of("projects.claim", lambda c: c.project_id)
    photos = {pk: photo.report.project_id for pk, photo in _pk_map("projects.progressphoto").items()}
    with_parts = {pk for pk in must if pk in set(claims.values()) | set(photos.values())}
    for pk in sorted(with_parts):
        url = url_of(_pk_map(LABEL)[pk])
        response = probe.client.get(url)
        if response.status_code != 200:
            probe.check(response.status_code in DENIED, f"GET {url} ({LABEL}#{pk} inside) → {response.status_code}")
            continue
        body = response.content.decode()
        listed = {int(c) for c in CLAIM_ROW.findall(body)}
        own = {c for c, project in claims.items() if project == pk}
        for c in sorted(own & claim_must):
            probe.check(c in listed, f"GET {url}: claim#{c} inside, not listed")
        for c in sorted(own & claim_never):
            probe.check(c not in listed, f"GET {url}: claim#{c} outside, listed")
        probe.check(listed <= own, f"GET {url}: lists claims {sorted(listed - own)} of another project")
        for ph, project in sorted(photos.items()):
            shown = reverse("projects:photo", args=[ph]) in body
            if project == pk and ph in photo_must:
                probe.check(shown, f"GET {url}: photo#{ph} inside, not shown")
            elif ph in photo_never or project != pk:
                probe.check(not shown, f"GET {url}: photo#{ph} {'outside' if project == pk else 'of another'}, shown")
        _no_outside_markers(probe, url, body)


def project_places(probe: Probe) -> set[int]:
    """The places of the projects a viewer reads: a project's page names its place, the project's own story,
    not a leak of that place."""
    return {_pk_map(LABEL)[pk].place_id for pk in probe.want(LABEL)[0]}


PROJECT_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "projects:index": lambda p, u: _index(p, u()),
    "projects:detail": lambda p, u: _project_detail(p, lambda o: u(pk=o.pk)),
    "projects:photo": lambda p, u: _detail(p, "projects.progressphoto", lambda o: u(pk=o.pk)),
}
