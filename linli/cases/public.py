"""What of a case anyone may read: the public board's cases and the steps of a timeline a resident is shown.

The public board (and Open311's GETs without an api_key) is read by people who are not logged in, so it
cannot start from `restrict(user)`, which gives an anonymous reader nothing. It is this deliberate, narrow
exception instead: answered requests only, and only the fields their readers render (never the reporter's
name, phone or the exact point; free text goes through linli.core.masking.mask_in_text).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .choices import CaseState as S
from .choices import EventKind as K
from .models import Case

# The board shows requests that were answered (DESIGN §4 item 8: "resolved requests").
BOARD_STATES = frozenset({S.RESOLVED, S.VERIFIED, S.CLOSED})
# States in which the loop is finished as far as the outside world goes (Open311's "closed").
FINISHED_STATES = frozenset({S.RESOLVED, S.VERIFIED, S.CLOSED, S.INVALID, S.MERGED})

# Steps the resident (and the public, for board cases) sees. Left out: internal review and attendance
# (returns under review, whistles, requests for approval, overdue marks, verification failures, views of
# personal data) and the rating, whose comment is the resident's own words.
PUBLIC_EVENT_KINDS = frozenset(
    {
        K.SUBMITTED,
        K.DISPATCHED,
        K.ACCEPTED,
        K.CONTACTED,
        K.NOTE,
        K.RESOLVED,
        K.VERIFIED,
        K.REOPENED,
        K.CLOSED,
        K.RETURN_UPHELD,
        K.APPROVAL_DECIDED,
        K.RESUMED,
        K.ESCALATED,
        K.MERGED,
        K.INVALIDATED,
    }
)


def board_cases() -> QuerySet[Case]:
    return Case.objects.filter(state__in=BOARD_STATES)


def is_public_event(event: Any) -> bool:
    """A progress note is public only when its writer said so; a refused extension is the unit's business."""
    if event.kind not in PUBLIC_EVENT_KINDS:
        return False
    payload = event.payload or {}
    if event.kind == K.NOTE:
        return bool(payload.get("public"))
    if event.kind == K.APPROVAL_DECIDED:
        return bool(payload.get("approved"))
    return True
