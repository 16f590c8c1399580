"""The scope matrix's checks for the volunteers' read paths (issue 20): each page shows no outside row's
marker (activity and post titles, certificate numbers, people's names), and a detail out of reach is refused.
Registered in matrix_checks.READ_PATHS; the POST-only addresses are exempted in VOLUNTEER_NOT_READ_PATHS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .matrix_checks import Probe, _detail, _leaks


def _checkin(probe: Probe, u: Callable[..., str]) -> None:
    from linli.volunteers.tokens import make_token

    _detail(probe, "volunteers.activity", lambda o: u(token=make_token(o.pk, "in")))


VOLUNTEER_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "volunteers:mine": lambda p, u: _leaks(p, u()),
    "volunteers:activities": lambda p, u: _leaks(p, u()),
    "volunteers:activity": lambda p, u: _detail(p, "volunteers.activity", lambda o: u(pk=o.pk)),
    "volunteers:roster": lambda p, u: _detail(p, "volunteers.activity", lambda o: u(pk=o.pk)),
    "volunteers:qr": lambda p, u: _detail(p, "volunteers.activity", lambda o: u(pk=o.pk, direction="in")),
    "volunteers:checkin": _checkin,
    "volunteers:publish": lambda p, u: _leaks(p, u()),
    "volunteers:posts": lambda p, u: _leaks(p, u()),
    "volunteers:post_publish": lambda p, u: _leaks(p, u()),
    "volunteers:post": lambda p, u: _detail(p, "volunteers.post", lambda o: u(pk=o.pk)),
    "volunteers:registry": lambda p, u: _leaks(p, u()),
    "volunteers:register": lambda p, u: _leaks(p, u()),
    "volunteers:volunteer": lambda p, u: _detail(p, "volunteers.volunteer", lambda o: u(pk=o.pk)),
}

VOLUNTEER_NOT_READ_PATHS: dict[str, str] = {
    "volunteers:signup": "the sign-up form: community names anyone may pick (as the report form's place picker) "
    "and the user's own record",
    "volunteers:join": "POST only: signs the user up for an activity found through the scoped read",
    "volunteers:leave": "POST only: cancels the user's own sign-up on an activity found through the scoped read",
    "volunteers:signup_act": "POST only: a sign-up found through restrict(change); each action checks its predicate",
    "volunteers:volunteer_act": "POST only: a volunteer found through the scoped read; each action checks its predicate",
}

VOLUNTEER_MARKERS: dict[str, list[Callable[[Any], str]]] = {
    "volunteers.activity": [lambda a: a.title],
    "volunteers.post": [lambda p: p.title],
    "volunteers.certificate": [lambda c: c.number],
}


def volunteer_public_places(probe: Probe) -> set[int]:
    """Places a viewer's visible activities, posts and volunteer records name (with their ancestors): the
    context of what they may read, as a case names its place, not a leak of those places' data."""
    from linli.places.models import Place

    from .matrix_checks import _pk_map

    ids: set[int] = set()
    for label in ("volunteers.activity", "volunteers.post"):
        for pk in probe.want(label)[0]:
            row = _pk_map(label)[pk]
            ids |= {row.community_id, row.place_id}
    for pk in probe.want("volunteers.volunteer")[0]:
        ids.add(_pk_map("volunteers.volunteer")[pk].community_id)
    out = set(ids)
    for place in Place.objects.filter(pk__in=ids):
        out |= set(place.ancestor_ids)
    return out
