"""Labels for a topic's timeline, as the page shows them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from ..choices import TopicState

register = template.Library()

EVENT_LABELS = {
    "raised": _("Raised"),
    "discussion_opened": _("Opened for discussion"),
    "proposal_drafted": _("Proposal drafted"),
    "decided": _("Decided"),
    "put_to_vote": _("Put to the owners' vote"),
    "published": _("Result published"),
    "case_opened": _("Follow-up case opened"),
    "done": _("Done"),
    "rejected": _("Not taken up"),
    "commented": _("Commented"),
    "replied": _("Replied"),
    "comment_hidden": _("Comment hidden"),
    "meeting_scheduled": _("Meeting called"),
    "attendance_recorded": _("Attendance recorded"),
    "minutes_recorded": _("Minutes recorded"),
}


@register.filter
def event_label(kind: str) -> Any:
    return EVENT_LABELS.get(kind, kind)


@register.filter
def state_label(state: str) -> Any:
    return TopicState(state).label if state in TopicState.values else state


@register.filter
def indent(depth: int) -> int:
    """Replies indent by depth (a class in participation.css), capped so that a long thread fits a phone."""
    return min(int(depth), 4)
