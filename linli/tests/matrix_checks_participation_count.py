"""The scope matrix's checks for the staff pages that run owners' votes: the list shows no vote out of reach,
a vote out of reach is a 404 (and its roll with it). Registered in matrix_checks.READ_PATHS."""

from __future__ import annotations

from collections.abc import Callable

from .matrix_checks import Probe, _detail, _leaks

COUNT_READ_PATHS: dict[str, Callable[[Probe, Callable[..., str]], None]] = {
    "participation:vote_list": lambda p, u: _leaks(p, u()),
    "participation:vote_detail": lambda p, u: _detail(p, "participation.vote", lambda o: u(pk=o.pk)),
}
