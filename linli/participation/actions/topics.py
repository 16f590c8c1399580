"""Deliberation actions (being written; see issue 19)."""

from __future__ import annotations

from typing import Any


def vote_closed(vote: Any) -> None:
    """Called by close_vote inside its transaction: settles the topic the vote decides, if any."""
