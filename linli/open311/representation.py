"""Matters as Open311 services and cases as Open311 requests and updates, with nothing personal in them.

A request carries the words of the case (personal numbers masked), its place no finer than the estate
(小区: a building or a flat would point at a household), its map point rounded to about 100 m, who handles
it and by when. Never the reporter's name, phone or e-mail, the exact point, the photos or the rating.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from linli.cases.choices import ApprovalKind, InvalidReason
from linli.cases.choices import CaseState as S
from linli.cases.choices import EventKind as K
from linli.cases.models import Case, CaseEvent
from linli.cases.presenting import resident_state
from linli.cases.public import FINISHED_STATES
from linli.core.masking import mask_in_text
from linli.orgs.models import Matter
from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import Place

from .params import w3

DESCRIPTION_LIMIT = 4000  # the spec's limit on a description
POINT_DECIMALS = 3
PUBLIC_LEVELS = frozenset(
    level
    for level, rank in LEVEL_RANK.items()
    if LEVEL_RANK[PlaceLevel.DISTRICT] <= rank <= LEVEL_RANK[PlaceLevel.ESTATE]
)
# mySociety's update statuses (the FixMyStreet Open311 extension), one per public timeline step.
UPDATE_STATUS: dict[str, str] = {
    K.SUBMITTED: "OPEN",
    K.DISPATCHED: "ACTION_SCHEDULED",
    K.ACCEPTED: "IN_PROGRESS",
    K.CONTACTED: "IN_PROGRESS",
    K.NOTE: "IN_PROGRESS",
    K.RESOLVED: "FIXED",
    K.VERIFIED: "FIXED",
    K.REOPENED: "OPEN",
    K.CLOSED: "CLOSED",
    K.RETURN_UPHELD: "INTERNAL_REFERRAL",
    K.APPROVAL_DECIDED: "IN_PROGRESS",
    K.RESUMED: "IN_PROGRESS",
    K.ESCALATED: "INTERNAL_REFERRAL",
    K.MERGED: "DUPLICATE",
    K.INVALIDATED: "NO_FURTHER_ACTION",
}


def service(matter: Matter) -> dict[str, Any]:
    return {
        "service_code": matter.code,
        "service_name": matter.name,
        "description": " · ".join(p for p in (matter.case_type, matter.major_class, matter.minor_class) if p),
        # Every service asks for the reporter's consent (and takes an optional client id): see definition().
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(matter.keywords or []),
        "group": matter.major_class or matter.category,
    }


def definition(matter: Matter) -> dict[str, Any]:
    """The attributes every service takes. Consent is required by law (个人信息保护法) before a request with
    personal data is processed, and Open311 has no field of its own for it."""
    return {
        "service_code": matter.code,
        "attributes": [
            {
                "variable": True,
                "code": "consent",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": _("Send attribute[consent]=yes"),
                "order": 1,
                "description": _(
                    "The reporter agrees that the personal data in this request is processed to handle it"
                ),
                "values": [{"key": "yes", "name": _("I agree")}],
            },
            {
                "variable": True,
                "code": "client_request_id",
                "datatype": "string",
                "required": False,
                "datatype_description": _("At most 120 characters"),
                "order": 2,
                "description": _(
                    "Your own id for this request: sending it again returns the request made the first time, "
                    "and tokens/<id> finds it (the Idempotency-Key header does the same)"
                ),
                "values": [],
            },
        ],
    }


def places_for_cases(cases: Iterable[Case]) -> dict[int, Place]:
    """Every place the requests' addresses name, read in one query."""
    ids: set[int] = set()
    for case in cases:
        ids.update(case.place.ancestor_ids)
        ids.add(case.place_id)
    return {p.pk: p for p in Place.objects.filter(pk__in=ids)}


def public_place(case: Case, places: dict[int, Place]) -> tuple[Place | None, str]:
    """The finest place of the case's lineage that is public (estate or coarser), and the address from it
    to the district, most specific first as the spec asks."""
    lineage = [places[i] for i in [*case.place.ancestor_ids, case.place_id] if i in places]
    public = [p for p in lineage if p.level in PUBLIC_LEVELS]
    return (public[-1] if public else None), ", ".join(p.name for p in reversed(public))


def _rounded(value: float | None) -> float | None:
    return round(value, POINT_DECIMALS) if value is not None else None


def status_notes(case: Case) -> str:
    """The same plain words the resident reads on their own page; an invalid or merged case says why."""
    if case.state == S.INVALID:
        return _("Closed as invalid: %(reason)s") % {"reason": InvalidReason(case.invalid_reason).label}
    if case.state == S.MERGED and case.merged_into is not None:
        return _("Joined request %(n)s about the same problem") % {"n": case.merged_into.number}
    return resident_state(case)


def request(
    case: Case, places: dict[int, Place], *, extensions: bool = False, notes: Sequence[CaseEvent] = ()
) -> dict[str, Any]:
    place, address = public_place(case, places)
    longitude, latitude = case.longitude, case.latitude
    if longitude is None or latitude is None:
        longitude, latitude = (place.longitude, place.latitude) if place else (None, None)
    finished = case.state in FINISHED_STATES
    data: dict[str, Any] = {
        "service_request_id": case.number,
        "status": "closed" if finished else "open",
        "status_notes": status_notes(case),
        "service_name": case.matter.name if case.matter else None,
        "service_code": case.matter.code if case.matter else None,
        "description": mask_in_text(case.body)[:DESCRIPTION_LIMIT],
        "agency_responsible": case.lead_unit.name if case.lead_unit else None,
        "service_notice": None,
        "requested_datetime": w3(case.created_at),
        # For a closed request, the spec's updated_datetime is when it was closed.
        "updated_datetime": w3(
            (case.closed_at or case.resolved_at or case.updated_at) if finished else case.updated_at
        ),
        "expected_datetime": w3(case.handle_due),
        "address": address,
        "address_id": place.code if place else None,
        "zipcode": None,
        "lat": _rounded(latitude),
        "long": _rounded(longitude),
        "media_url": None,
    }
    if extensions:
        data["extended_attributes"] = extended(case)
        data["notes"] = [
            {"datetime": w3(e.at), "description": describe(e), "type": e.kind, "status": UPDATE_STATUS[e.kind]}
            for e in notes
        ]
    return data


def extended(case: Case) -> dict[str, Any]:
    """`extensions=true`: the closed loop's own state and clocks, which open/closed cannot say."""
    return {
        "linli_state": case.state,
        "linli_state_label": str(S(case.state).label),
        "channel": case.channel,
        "urgency": case.urgency,
        "lead_unit": {"code": case.lead_unit.code, "name": case.lead_unit.name} if case.lead_unit else None,
        "dispatched_datetime": w3(case.dispatched_at),
        "accepted_datetime": w3(case.accepted_at),
        "contact_due": w3(case.contact_due),
        "handle_due": w3(case.handle_due),
        "contact_overdue": case.contact_overdue,
        "handle_overdue": case.handle_overdue,
        "suspended": case.state == S.SUSPENDED,
        "resolved_datetime": w3(case.resolved_at),
        "closed_datetime": w3(case.closed_at),
        "returns": case.return_count,
        "reopens": case.reopen_count,
        "extensions": case.extension_count,
        "merged_into": case.merged_into.number if case.merged_into else None,
    }


def _unit_name(payload: dict[str, Any], key: str = "unit") -> str:
    unit = payload.get(key)
    return str(unit.get("name", "")) if isinstance(unit, dict) else ""


def describe(event: CaseEvent) -> str:
    """One public step in plain words; a unit's own text (a note, an answer) with personal numbers masked."""
    p = event.payload or {}
    kind = event.kind
    if kind == K.SUBMITTED:
        return _("Request received")
    if kind == K.DISPATCHED:
        return _("Sent to %(unit)s") % {"unit": _unit_name(p)}
    if kind == K.ACCEPTED:
        return _("%(unit)s took up the request") % {"unit": _unit_name(p) or event.actor_label}
    if kind == K.CONTACTED:
        return _("%(unit)s contacted the reporter") % {"unit": event.actor_label}
    if kind == K.NOTE:
        return mask_in_text(str(p.get("note", "")))
    if kind == K.RESOLVED:
        return _("Answer: %(answer)s") % {"answer": mask_in_text(str(p.get("answer", "")))}
    if kind == K.VERIFIED:
        return _("The answer was verified on site")
    if kind == K.REOPENED:
        return _("Reopened: %(unit)s handles it again") % {"unit": _unit_name(p)}
    if kind == K.CLOSED:
        return _("Closed")
    if kind == K.RETURN_UPHELD:
        return _("Re-assigned to %(unit)s") % {"unit": _unit_name(p, "final_unit")}
    if kind == K.APPROVAL_DECIDED:
        if p.get("kind") == ApprovalKind.EXTENSION:
            return _("Deadline extended by %(n)s working days") % {"n": p.get("working_days", 0)}
        return _("Handling suspended, with approval")
    if kind == K.RESUMED:
        return _("Handling resumed")
    if kind == K.ESCALATED:
        return _("Escalated to %(unit)s") % {"unit": _unit_name(p, "to")}
    if kind == K.MERGED:
        return _("Joined request %(n)s about the same problem") % {"n": p.get("number", "")}
    if kind == K.INVALIDATED:
        reason = p.get("reason", "")
        label = InvalidReason(reason).label if reason in InvalidReason.values else reason
        return _("Closed as invalid: %(reason)s") % {"reason": label}
    return str(K(kind).label)


def update(event: CaseEvent, number: str) -> dict[str, Any]:
    return {
        "update_id": str(event.pk),
        "service_request_id": number,
        "status": UPDATE_STATUS[event.kind],
        "updated_datetime": w3(event.at),
        "description": describe(event),
        "media_url": None,
    }
