"""The data-scope spec for casting's own rows (issue 19, DESIGN §1 and §8): paper ballot entries.

Written from the rules, not from linli.participation.scoping: a paper entry holds a voter's choices beside
their roll entry until the second entry agrees, so it is read and changed only by the staff who run the vote —
community workers and secretaries under their community, district command under its district — and by
platform admins. Grid workers and street dispatchers, who read turnout, never read it; residents, volunteers,
auditors and units' people never do. Exporting is reading; "pick" is defined for places only, so it is left
open here.
"""

from __future__ import annotations

from typing import Any

from linli.accounts.choices import Role
from linli.participation.models_votes import PaperEntry

RUNNERS = {Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.DISTRICT_COMMAND}

CAST_MODELS: dict[str, type[Any]] = {"participation.paperentry": PaperEntry}


def _paper_rows(snap: Any) -> dict[int, str]:
    """pk → the vote's place path, read once per matrix run (kept on the snapshot)."""
    rows = getattr(snap, "_cast_paper", None)
    if rows is None:
        rows = dict(PaperEntry.objects.values_list("pk", "vote__place__path"))
        snap._cast_paper = rows
    return rows


def paper_rule(snap: Any, user: Any, hats: list[Any], action: str) -> tuple[set[int], set[int]]:
    rows = _paper_rows(snap)
    if action == "pick":
        return set(), set(rows)
    if any(h.role == Role.PLATFORM_ADMIN for h in hats):
        return set(rows), set()
    paths = [h.path for h in hats if h.role in RUNNERS and h.path]
    return {pk for pk, path in rows.items() if any(path.startswith(p) for p in paths)}, set()


CAST_RULES: dict[str, Any] = {"participation.paperentry": paper_rule}
