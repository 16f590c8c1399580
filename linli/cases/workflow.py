"""The state table of the closed loop (DESIGN §4): which step may start from which state and where it leads.

Every action asks `check(case, step)` before it changes anything; a step missing from a state's row is
refused with a message in the user's language. The property test walks this table.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import CaseState as S

# step → states it may start from
STEPS: dict[str, frozenset[str]] = {
    "dispatch": frozenset({S.SUBMITTED}),
    "redispatch": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "set_co_units": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "accept": frozenset({S.DISPATCHED}),
    "contact": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "note": frozenset({S.DISPATCHED, S.ACCEPTED, S.SUSPENDED}),
    "resolve": frozenset({S.ACCEPTED}),
    "verify": frozenset({S.RESOLVED}),
    "rate": frozenset({S.RESOLVED, S.VERIFIED}),
    "close_unrated": frozenset({S.RESOLVED, S.VERIFIED}),
    "return": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "review_return": frozenset({S.RETURNED}),
    "request_approval": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "decide_approval": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "resume": frozenset({S.SUSPENDED}),
    "blow_whistle": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "report_whistle": frozenset({S.DISPATCHED, S.ACCEPTED, S.SUSPENDED, S.RESOLVED, S.VERIFIED}),
    "escalate": frozenset({S.DISPATCHED, S.ACCEPTED}),
    "merge": frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED}),
    "invalidate": frozenset({S.SUBMITTED, S.DISPATCHED}),
}

# Where a step may lead (for the property test: nothing ever lands outside these).
LEADS_TO: dict[str, frozenset[str]] = {
    "dispatch": frozenset({S.DISPATCHED}),
    "redispatch": frozenset({S.DISPATCHED}),
    "accept": frozenset({S.ACCEPTED}),
    "resolve": frozenset({S.RESOLVED}),
    "verify": frozenset({S.VERIFIED, S.ACCEPTED}),
    "rate": frozenset({S.CLOSED, S.ACCEPTED}),
    "close_unrated": frozenset({S.CLOSED}),
    "return": frozenset({S.RETURNED}),
    "review_return": frozenset({S.DISPATCHED}),
    "decide_approval": frozenset({S.DISPATCHED, S.ACCEPTED, S.SUSPENDED}),
    "resume": frozenset({S.ACCEPTED, S.DISPATCHED}),
    "escalate": frozenset({S.DISPATCHED}),
    "merge": frozenset({S.MERGED}),
    "invalidate": frozenset({S.INVALID}),
}


def allowed(case: Any, step: str) -> bool:
    return case.state in STEPS[step]


def check(case: Any, step: str) -> None:
    if not allowed(case, step):
        raise ValidationError(
            _("This cannot be done to a case that is %(state)s") % {"state": case.get_state_display()},
            code="bad_state",
        )


def steps_from(state: str) -> list[str]:
    return [step for step, states in STEPS.items() if state in states]
