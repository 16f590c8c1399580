"""One builder per timeline event type (as Saleor's order/events.py): the payload of each kind is fixed
here, so that assessment, the resident's page and the API read the same fields. Every builder appends to a
locked case through linli.cases.timeline.append."""

from __future__ import annotations

import datetime
from typing import Any

from .choices import EventKind as K
from .models import Case, CaseEvent
from .timeline import append


def _unit(unit: Any) -> dict[str, Any] | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _when(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def submitted(case: Case, actor: Any, *, label: str = "", origin: str = "", photos: int | None = None) -> CaseEvent:
    # Intake knows how many photos it just stored: passing it saves a COUNT on the busiest path.
    count = case.photos.count() if photos is None else photos
    payload = {"channel": case.channel, "place": case.place_id, "urgency": case.urgency, "photos": count}
    if origin:  # an imported backlog row: the channel it first came in on
        payload["origin"] = origin
    return append(
        case, K.SUBMITTED, actor=actor, label=label, new_state=case.state, payload=payload, at=case.created_at
    )


def dispatched(
    case: Case, actor: Any, old: str, *, mode: str, unit: Any, co_units: list[Any], reason: str
) -> CaseEvent:
    return append(
        case,
        K.DISPATCHED,
        actor=actor,
        label="智能派单" if mode == "auto" and actor is None else "",
        old_state=old,
        new_state=case.state,
        payload={
            "mode": mode,
            "unit": _unit(unit),
            "co_units": [_unit(u) for u in co_units],
            "matter": case.matter_id,
            "decision": case.decision_id,
            "reason": reason,
            "contact_due": _when(case.contact_due),
            "handle_due": _when(case.handle_due),
        },
    )


def co_units_set(case: Case, actor: Any, co_units: list[Any]) -> CaseEvent:
    return append(
        case, K.CO_UNITS_SET, actor=actor, old_state=case.state, payload={"co_units": [_unit(u) for u in co_units]}
    )


def accepted(case: Case, actor: Any, old: str, unit: Any) -> CaseEvent:
    return append(
        case,
        K.ACCEPTED,
        actor=actor,
        label=unit.name,
        old_state=old,
        new_state=case.state,
        payload={"unit": _unit(unit)},
    )


def contacted(case: Case, actor: Any, unit: Any, *, note: str, on_time: bool) -> CaseEvent:
    return append(
        case,
        K.CONTACTED,
        actor=actor,
        label=unit.name,
        old_state=case.state,
        payload={"note": note, "on_time": on_time},
    )


def noted(case: Case, actor: Any, label: str, *, note: str, public: bool) -> CaseEvent:
    return append(
        case, K.NOTE, actor=actor, label=label, old_state=case.state, payload={"note": note, "public": public}
    )


def resolved(case: Case, actor: Any, old: str, unit: Any, *, answer: str, photos: int, on_time: bool) -> CaseEvent:
    payload = {"answer": answer, "photos": photos, "on_time": on_time, "unit": _unit(unit)}
    return append(
        case,
        K.RESOLVED,
        actor=actor,
        label=unit.name if unit else "",
        old_state=old,
        new_state=case.state,
        payload=payload,
    )


def verified(case: Case, actor: Any, old: str, *, passed: bool, note: str) -> CaseEvent:
    kind = K.VERIFIED if passed else K.VERIFICATION_FAILED
    return append(case, kind, actor=actor, old_state=old, new_state=case.state, payload={"note": note})


def rated(case: Case, actor: Any, old: str, *, rating: str, resolved: bool, comment: str) -> CaseEvent:
    payload = {"rating": rating, "resolved": resolved, "comment": comment}
    # The resident themself, or the hotline desk recording a caller's rating on a call-back (回访).
    label = "居民" if case.reporter_id is not None else "热线回访"
    payload["callback"] = case.reporter_id is None
    return append(case, K.RATED, actor=actor, label=label, old_state=old, new_state=case.state, payload=payload)


def reopened(case: Case, old: str, *, why: str, unit: Any) -> CaseEvent:
    payload = {"why": why, "unit": _unit(unit), "handle_due": _when(case.handle_due), "count": case.reopen_count}
    return append(case, K.REOPENED, label="系统", old_state=old, new_state=case.state, payload=payload)


def closed(case: Case, actor: Any, old: str, *, why: str) -> CaseEvent:
    return append(case, K.CLOSED, actor=actor, old_state=old, new_state=case.state, payload={"why": why})


def returned(case: Case, actor: Any, old: str, ret: Any) -> CaseEvent:
    payload = {
        "return": ret.pk,
        "unit": _unit(ret.unit),
        "reason": ret.reason,
        "explanation": ret.explanation,
        "suggested_unit": _unit(ret.suggested_unit),
    }
    return append(
        case, K.RETURNED, actor=actor, label=ret.unit.name, old_state=old, new_state=case.state, payload=payload
    )


def return_reviewed(case: Case, actor: Any, old: str, ret: Any) -> CaseEvent:
    kind = K.RETURN_UPHELD if ret.outcome == "upheld" else K.RETURN_REJECTED
    payload = {
        "return": ret.pk,
        "final_unit": _unit(ret.final_unit),
        "arbitrated": ret.arbitrated,
        "note": ret.review_note,
        "handle_due": _when(case.handle_due),
    }
    return append(case, kind, actor=actor, old_state=old, new_state=case.state, payload=payload)


def whistle_blown(case: Case, actor: Any, calls: list[Any]) -> CaseEvent:
    payload = {"calls": [{"id": c.pk, "unit": _unit(c.unit), "arrive_by": _when(c.arrive_by)} for c in calls]}
    if calls:
        payload["note"] = calls[0].note
    return append(case, K.WHISTLE_BLOWN, actor=actor, old_state=case.state, payload=payload)


def whistle_reported(case: Case, actor: Any, call: Any) -> CaseEvent:
    payload = {"call": call.pk, "unit": _unit(call.unit), "late": call.late, "note": call.report_note}
    return append(case, K.WHISTLE_REPORTED, actor=actor, label=call.unit.name, old_state=case.state, payload=payload)


def whistle_late(case: Case, call: Any) -> CaseEvent:
    payload = {"call": call.pk, "unit": _unit(call.unit), "arrive_by": _when(call.arrive_by)}
    return append(case, K.WHISTLE_LATE, label="系统", old_state=case.state, payload=payload)


def approval_requested(case: Case, actor: Any, approval: Any) -> CaseEvent:
    payload = {
        "approval": approval.pk,
        "kind": approval.kind,
        "working_days": approval.working_days,
        "reason": approval.reason,
    }
    return append(
        case, K.APPROVAL_REQUESTED, actor=actor, label=approval.unit.name, old_state=case.state, payload=payload
    )


def approval_decided(case: Case, actor: Any, old: str, approval: Any) -> CaseEvent:
    payload = {
        "approval": approval.pk,
        "kind": approval.kind,
        "approved": approval.state == "approved",
        "working_days": approval.working_days,
        "note": approval.decision_note,
        "handle_due": _when(case.handle_due),
    }
    return append(case, K.APPROVAL_DECIDED, actor=actor, old_state=old, new_state=case.state, payload=payload)


def resumed(case: Case, actor: Any, old: str) -> CaseEvent:
    return append(
        case,
        K.RESUMED,
        actor=actor,
        old_state=old,
        new_state=case.state,
        payload={"handle_due": _when(case.handle_due)},
    )


def overdue(case: Case, *, which: str, due: datetime.datetime) -> CaseEvent:
    payload = {"which": which, "due": _when(due), "unit": _unit(case.lead_unit)}
    return append(case, K.OVERDUE, label="系统", old_state=case.state, payload=payload)


def escalated(case: Case, actor: Any, old: str, *, to_unit: Any, from_unit: Any, why: str) -> CaseEvent:
    payload = {"from": _unit(from_unit), "to": _unit(to_unit), "why": why, "handle_due": _when(case.handle_due)}
    label = "" if actor is not None else "系统"
    return append(case, K.ESCALATED, actor=actor, label=label, old_state=old, new_state=case.state, payload=payload)


def merged(case: Case, actor: Any, old: str, primary: Case) -> CaseEvent:
    return append(
        case,
        K.MERGED,
        actor=actor,
        old_state=old,
        new_state=case.state,
        payload={"into": primary.pk, "number": primary.number},
    )


def duplicate_attached(primary: Case, actor: Any, duplicate: Case) -> CaseEvent:
    payload = {"duplicate": duplicate.pk, "number": duplicate.number}
    return append(primary, K.DUPLICATE_ATTACHED, actor=actor, old_state=primary.state, payload=payload)


def invalidated(case: Case, actor: Any, old: str, *, reason: str, explanation: str) -> CaseEvent:
    payload = {"reason": reason, "explanation": explanation}
    return append(case, K.INVALIDATED, actor=actor, old_state=old, new_state=case.state, payload=payload)


def personal_data_viewed(case: Case, actor: Any, *, fields: list[str]) -> CaseEvent:
    return append(case, K.PERSONAL_DATA_VIEWED, actor=actor, old_state=case.state, payload={"fields": fields})
