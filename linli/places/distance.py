"""Distance on the place tree, read off materialised paths without a query.

The distance from a need's place to somewhere else is the number of steps up from the need's place to the
nearest place above (or at) both: 0 when the other place lies at or under the need's place, 1 when they
share the need's parent, and so on. Counting from the need's side keeps a volunteer whose home is recorded
only at the community as near as one whose house is known, and matches how providers are ranked for a
service request (linli.services.matching: steps up from the case's place to the place an offer serves).
"""

from __future__ import annotations

from .models import SEGMENT_WIDTH


def ancestry(path: str) -> list[str]:
    """The paths from the root down to `path` itself."""
    return [path[:end] for end in range(SEGMENT_WIDTH, len(path) + 1, SEGMENT_WIDTH)]


def common_path(a: str, b: str) -> str:
    """The path of the nearest place at or above both (empty when they share no root)."""
    shared = 0
    for end in range(SEGMENT_WIDTH, min(len(a), len(b)) + 1, SEGMENT_WIDTH):
        if a[:end] != b[:end]:
            break
        shared = end
    return a[:shared]


def steps_up(need_path: str, other_path: str) -> int:
    """Steps from the need's place up to the nearest place above both."""
    return (len(need_path) - len(common_path(need_path, other_path))) // SEGMENT_WIDTH
