"""Every write to a case, one action per step; views, the API, imports and commands call these only."""

from .handling import accept, add_note, close_unrated, contact, rate, resolve, verify
from .intake import Submission, submit_request
from .personal import reveal_reporter
from .routing import dispatch_case, escalate, invalidate, merge, route_case, set_co_units
from .side_paths import (
    blow_whistle,
    decide_approval,
    report_whistle,
    request_approval,
    resume,
    return_case,
    review_return,
)

__all__ = [
    "Submission",
    "accept",
    "add_note",
    "blow_whistle",
    "close_unrated",
    "contact",
    "decide_approval",
    "dispatch_case",
    "escalate",
    "invalidate",
    "merge",
    "rate",
    "report_whistle",
    "request_approval",
    "resolve",
    "resume",
    "return_case",
    "reveal_reporter",
    "review_return",
    "route_case",
    "set_co_units",
    "submit_request",
    "verify",
]
