"""Cases in plain words: a state as the resident reads it, each timeline event's details as sentences, and
the masking of texts shown in public. Pure functions of what was read; nothing here queries or writes."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from linli.dispatch.choices import Channel

from .choices import ApprovalKind, CaseState, EventKind, InvalidReason, Rating, ReturnReason, Urgency

# A run of 7 or more digits, possibly split by single spaces or dashes: a phone, an ID or a house number
# that could point at a person. The public board shows none of them.
DIGIT_RUN = re.compile(r"\d(?:[ \-－–—.]?\d){6,}")


def mask_digits(text: str) -> str:
    return DIGIT_RUN.sub(lambda m: re.sub(r"\d", "*", m.group(0)), text or "")


def mask_name(name: str) -> str:
    """A reporter's name for a role that does not need it: the first character and a star per other one."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def resident_state(case: Any) -> str:
    """What the resident reads about their request, in the words a person would use."""
    unit = case.lead_unit.name if getattr(case, "lead_unit", None) else ""
    words = {
        CaseState.SUBMITTED: _("Received; waiting to be sent to the unit in charge"),
        CaseState.DISPATCHED: _("Sent to %(unit)s") % {"unit": unit},
        CaseState.ACCEPTED: _("%(unit)s is handling it") % {"unit": unit},
        CaseState.RETURNED: _("Being passed on to the unit in charge"),
        CaseState.SUSPENDED: _("Handling is paused, with approval"),
        CaseState.RESOLVED: _("Answered"),
        CaseState.VERIFIED: _("Answered and checked on site"),
        CaseState.CLOSED: _("Closed"),
        CaseState.MERGED: _("Joined with a request about the same problem"),
        CaseState.INVALID: _("Closed as invalid"),
    }
    return str(words.get(case.state, case.get_state_display()))


def when(value: str | datetime.datetime | None) -> str:
    """A moment from an event payload (ISO text) or a model, as local date and time."""
    if not value:
        return ""
    moment = datetime.datetime.fromisoformat(value) if isinstance(value, str) else value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _unit(data: Any) -> str:
    return str(data.get("name", "")) if isinstance(data, dict) else ""


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass
class Line:
    """One timeline event for the page."""

    seq: int
    kind: str
    title: str
    at: datetime.datetime
    actor: str
    actor_user: str
    old_state: str
    new_state: str
    details: list[str] = field(default_factory=list)


def describe(event: Any, *, staff: bool) -> Line | None:
    """An event as the page shows it; None for what the resident does not see (internal progress notes)."""
    p: dict[str, Any] = event.payload or {}
    kind = event.kind
    if kind == EventKind.NOTE and not staff and not p.get("public"):
        return None
    details = _details(kind, p, staff)
    old = _label(CaseState, event.old_state) if event.old_state else ""
    new = _label(CaseState, event.new_state) if event.new_state else ""
    return Line(
        seq=event.seq,
        kind=kind,
        title=_label(EventKind, kind),
        at=event.at,
        actor=event.actor_label,
        actor_user=event.actor.get_username() if staff and event.actor_id else "",
        old_state=old if old != new else "",
        new_state=new if old != new else "",
        details=[d for d in details if d],
    )


def _on_time(flag: Any) -> str:
    if flag is None:
        return ""
    return _("on time") if flag else _("late")


def _details(kind: str, p: dict[str, Any], staff: bool) -> list[str]:
    K = EventKind
    if kind == K.SUBMITTED:
        out = [_("Channel: %(c)s") % {"c": _label(Channel, p.get("channel", ""))}]
        if p.get("urgency") == Urgency.URGENT:
            out.append(_("Urgent"))
        if p.get("photos"):
            out.append(_("%(n)d photos") % {"n": p["photos"]})
        return out
    if kind == K.DISPATCHED:
        out = [
            _("Sent automatically by smart dispatch") if p.get("mode") == "auto" else _("Sent by a dispatcher"),
            _("To: %(unit)s") % {"unit": _unit(p.get("unit"))},
        ]
        cos = [_unit(u) for u in p.get("co_units") or []]
        if cos:
            out.append(_("Co-handling: %(units)s") % {"units": "、".join(cos)})
        if p.get("handle_due"):
            out.append(_("To be handled by %(t)s") % {"t": when(p["handle_due"])})
        if staff and p.get("reason"):
            out.append(_("Why: %(r)s") % {"r": p["reason"]})
        return out
    if kind == K.CO_UNITS_SET:
        cos = [_unit(u) for u in p.get("co_units") or []]
        return [_("Co-handling: %(units)s") % {"units": "、".join(cos) or "—"}]
    if kind == K.CONTACTED:
        return [p.get("note", ""), _on_time(p.get("on_time"))]
    if kind == K.NOTE:
        return [p.get("note", ""), _("Shown to the resident") if staff and p.get("public") else ""]
    if kind == K.RESOLVED:
        out = [p.get("answer", "")]
        if p.get("photos"):
            out.append(_("%(n)d evidence photos") % {"n": p["photos"]})
        return [*out, _on_time(p.get("on_time")) if staff else ""]
    if kind in (K.VERIFIED, K.VERIFICATION_FAILED):
        return [p.get("note", "")]
    if kind == K.RATED:
        return [
            _label(Rating, p.get("rating", "")),
            _("Resolved: yes") if p.get("resolved") else _("Resolved: no"),
            p.get("comment", ""),
        ]
    if kind == K.REOPENED:
        why = _("the resident was not satisfied") if p.get("why") == "unsatisfied" else _("not resolved")
        return [
            _("Handled again because %(why)s") % {"why": why},
            _("To be handled by %(t)s") % {"t": when(p.get("handle_due"))} if p.get("handle_due") else "",
        ]
    if kind == K.CLOSED:
        return [_("Not rated in time") if p.get("why") == "not rated in time" else ""]
    # Units' arguments over who owns a case are theirs: the resident reads the reason code and where the case
    # went, not the explanations and review notes written for the dispatcher.
    if kind == K.RETURNED:
        return [
            _label(ReturnReason, p.get("reason", "")),
            p.get("explanation", "") if staff else "",
            _("Suggested: %(unit)s") % {"unit": _unit(p["suggested_unit"])}
            if staff and p.get("suggested_unit")
            else "",
        ]
    # A review restarts (upheld) or resumes (rejected) the clock: the resident is told the deadline it set.
    if kind == K.RETURN_UPHELD:
        return [
            _("Now with %(unit)s") % {"unit": _unit(p.get("final_unit"))},
            _("Arbitrated by the district") if p.get("arbitrated") else "",
            p.get("note", "") if staff else "",
            _due(p),
        ]
    if kind == K.RETURN_REJECTED:
        note = p.get("note", "") if staff else ""
        return [_("Stays with %(unit)s") % {"unit": _unit(p.get("final_unit"))}, note, _due(p)]
    if kind == K.WHISTLE_BLOWN:
        calls = [
            _("%(unit)s, on site by %(t)s") % {"unit": _unit(c.get("unit")), "t": when(c.get("arrive_by"))}
            for c in p.get("calls") or []
        ]
        return [*calls, p.get("note", "")]
    if kind == K.WHISTLE_REPORTED:
        return [_unit(p.get("unit")), _("late") if p.get("late") else _("on time"), p.get("note", "")]
    if kind == K.WHISTLE_LATE:
        return [_("%(unit)s was due by %(t)s") % {"unit": _unit(p.get("unit")), "t": when(p.get("arrive_by"))}]
    if kind == K.APPROVAL_REQUESTED:
        return [_approval_what(p), p.get("reason", "")]
    if kind == K.APPROVAL_DECIDED:
        return [
            _approval_what(p),
            _("Approved") if p.get("approved") else _("Refused"),
            p.get("note", ""),
            _("To be handled by %(t)s") % {"t": when(p["handle_due"])}
            if p.get("approved") and p.get("handle_due")
            else "",
        ]
    if kind == K.RESUMED:
        return [_("To be handled by %(t)s") % {"t": when(p["handle_due"])} if p.get("handle_due") else ""]
    if kind == K.OVERDUE:
        which = _("Contact") if p.get("which") == "contact" else _("Handling")
        return [_("%(which)s was due by %(t)s") % {"which": which, "t": when(p.get("due"))}, _unit(p.get("unit"))]
    if kind == K.ESCALATED:
        return [
            _("From %(a)s to %(b)s") % {"a": _unit(p.get("from")) or "—", "b": _unit(p.get("to"))},
            p.get("why", ""),
        ]
    if kind == K.MERGED:
        return [_("Joined case %(n)s") % {"n": p.get("number", "")}]
    if kind == K.DUPLICATE_ATTACHED:
        return [_("Case %(n)s joined this one") % {"n": p.get("number", "")}]
    if kind == K.INVALIDATED:
        return [_label(InvalidReason, p.get("reason", "")), p.get("explanation", "")]
    if kind == K.PERSONAL_DATA_VIEWED:
        names = {"reporter_name": _("name"), "reporter_phone": _("phone")}
        return ["、".join(str(names.get(f, f)) for f in p.get("fields") or [])]
    return []


def _due(p: dict[str, Any]) -> str:
    return _("To be handled by %(t)s") % {"t": when(p["handle_due"])} if p.get("handle_due") else ""


def _approval_what(p: dict[str, Any]) -> str:
    if p.get("kind") == ApprovalKind.EXTENSION:
        return _("Extension by %(n)d working days") % {"n": p.get("working_days") or 0}
    return _("Suspension")
