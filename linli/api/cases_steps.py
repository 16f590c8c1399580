"""One API step per workflow action: read the body's names (unit codes, ids) into objects the caller may
name, and call the action. The action checks the named predicate, the scope and the state; nothing is
decided here. A name the caller may not use is a 400 on that field, as if it did not exist."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers

from linli.accounts.predicates import can_report_whistle
from linli.accounts.scopes import restrict
from linli.cases import actions
from linli.cases.choices import ApprovalState, ReviewOutcome
from linli.cases.models import Case, CaseApproval, CaseReturn, WhistleCall
from linli.orgs.directory import assignable_units
from linli.orgs.models import Matter, Unit
from linli.orgs.queries import matters_for, units_for

from . import cases_serializers as s


@dataclass(frozen=True)
class Step:
    body: type[serializers.Serializer] | None
    run: Callable[[Any, Case, dict[str, Any]], Any]
    summary: str


def photos(encoded: list[str], field: str = "photos") -> list[bytes]:
    """base64 (a data: URL's prefix is dropped) to bytes; the intake's photo check does the rest."""
    out = []
    for n, text in enumerate(encoded, start=1):
        try:
            out.append(base64.b64decode(text.partition(",")[2] if text.startswith("data:") else text, validate=True))
        except (binascii.Error, ValueError):
            raise ValidationError({field: _("Photo %(n)d is not base64") % {"n": n}}) from None
    return out


def _units(user: Any, case: Case, wanted: list[str], field: str) -> list[Unit]:
    if not wanted:
        return []
    found = {u.code: u for u in assignable_units(user, place=case.place).filter(code__in=wanted)}
    missing = [code for code in wanted if code not in found]
    if missing:
        raise ValidationError({field: _("You may not send work to %(codes)s") % {"codes": ", ".join(missing)}})
    return [found[code] for code in wanted]


def _matter(user: Any, code: str) -> Matter | None:
    if not code:
        return None
    matter = matters_for(user).filter(code=code, is_active=True).first()
    if matter is None:
        raise ValidationError({"matter": _("No matter %(code)s") % {"code": code}})
    return matter


def _pending[T: CaseReturn | CaseApproval | WhistleCall](qs: QuerySet[T], pk: int | None, field: str) -> T:
    row = (qs.filter(pk=pk) if pk else qs.order_by("pk")).first()
    if row is None:
        raise ValidationError({field: _("Nothing of this kind is waiting on this case")})
    return row


def dispatch(user: Any, case: Case, d: dict[str, Any]) -> Any:
    unit, *_ = _units(user, case, [d["unit"]], "unit")
    co_units = _units(user, case, d["co_units"], "co_units")
    return actions.dispatch_case(
        user, case, unit=unit, co_units=co_units, matter=_matter(user, d["matter"]), note=d["note"]
    )


def co_units(user: Any, case: Case, d: dict[str, Any]) -> Any:
    return actions.set_co_units(user, case, _units(user, case, d["co_units"], "co_units"))


def return_case(user: Any, case: Case, d: dict[str, Any]) -> Any:
    suggested = None
    if d["suggested_unit"]:
        suggested = units_for(user).filter(code=d["suggested_unit"]).first()
        if suggested is None:
            raise ValidationError({"suggested_unit": _("No unit %(code)s") % {"code": d["suggested_unit"]}})
    return actions.return_case(user, case, reason=d["reason"], explanation=d["explanation"], suggested_unit=suggested)


def review_return(user: Any, case: Case, d: dict[str, Any]) -> Any:
    waiting = restrict(CaseReturn.objects.filter(case=case, outcome=ReviewOutcome.PENDING), user)
    ret = _pending(waiting, d.get("return_id"), "return_id")
    unit = _units(user, case, [d["unit"]], "unit")[0] if d["unit"] else None
    return actions.review_return(user, ret, uphold=d["uphold"], unit=unit, note=d["note"])


def decide_approval(user: Any, case: Case, d: dict[str, Any]) -> Any:
    waiting = restrict(CaseApproval.objects.filter(case=case, state=ApprovalState.PENDING), user)
    approval = _pending(waiting, d.get("approval_id"), "approval_id")
    return actions.decide_approval(user, approval, approve=d["approve"], note=d["note"])


def report_whistle(user: Any, case: Case, d: dict[str, Any]) -> Any:
    """报到 for the caller's unit: the call named, or the one waiting for a unit the caller works for."""
    waiting = restrict(WhistleCall.objects.filter(case=case, reported_at__isnull=True), user).select_related("unit")
    if d.get("call_id"):
        call = _pending(waiting, d["call_id"], "call_id")
    else:
        calls = list(waiting.order_by("pk"))
        if not calls:
            raise ValidationError({"call_id": _("No whistle call is waiting for a report on this case")})
        call = next((c for c in calls if can_report_whistle(user, c)), calls[0])  # the action refuses a stranger
    return actions.report_whistle(user, call, note=d["note"])


def merge(user: Any, case: Case, d: dict[str, Any]) -> Any:
    primary = Case.objects.restrict(user).filter(pk=Case.pk_from_number(d["into"]) or 0).first()
    if primary is None or primary.number != d["into"]:
        raise ValidationError({"into": _("No case %(n)s") % {"n": d["into"]}})
    return actions.merge(user, case, primary)


STEPS: dict[str, Step] = {
    "dispatch": Step(s.DispatchBody, dispatch, "Send the case to a lead unit (and co-units), or move it"),
    "co-units": Step(s.CoUnitsBody, co_units, "Set the co-handling units"),
    "accept": Step(None, lambda u, c, d: actions.accept(u, c), "Take up the case as its lead unit"),
    "contact": Step(
        s.ContactBody, lambda u, c, d: actions.contact(u, c, note=d["note"]), "Record contact with the resident"
    ),
    "note": Step(
        s.NoteBody, lambda u, c, d: actions.add_note(u, c, note=d["note"], public=d["public"]), "Add a progress note"
    ),
    "resolve": Step(
        s.ResolveBody,
        lambda u, c, d: actions.resolve(u, c, answer=d["answer"], photos=photos(d["photos"])),
        "Answer the resident, with evidence photos",
    ),
    "return": Step(s.ReturnBody, return_case, "Return the case (退单) with a reason"),
    "review-return": Step(s.ReviewReturnBody, review_return, "Uphold or reject a return"),
    "request-approval": Step(
        s.RequestApprovalBody,
        lambda u, c, d: actions.request_approval(
            u, c, kind=d["kind"], reason=d["reason"], working_days=d["working_days"]
        ),
        "Ask for an extension or a suspension",
    ),
    "decide-approval": Step(s.DecideApprovalBody, decide_approval, "Approve or refuse an extension or suspension"),
    "resume": Step(None, lambda u, c, d: actions.resume(u, c), "Resume a suspended case"),
    "whistle": Step(
        s.WhistleBody,
        lambda u, c, d: actions.blow_whistle(u, c, units=_units(u, c, d["units"], "units"), note=d["note"]),
        "Blow the whistle (吹哨): summon units to the case",
    ),
    "whistle-report": Step(s.WhistleReportBody, report_whistle, "Report on site (报到) for a whistle call"),
    "escalate": Step(
        s.EscalateBody, lambda u, c, d: actions.escalate(u, c, why=d["why"]), "Escalate to the level above"
    ),
    "merge": Step(s.MergeBody, merge, "Merge this case into the case it duplicates"),
    "invalidate": Step(
        s.InvalidateBody,
        lambda u, c, d: actions.invalidate(u, c, reason=d["reason"], explanation=d["explanation"]),
        "Mark the case invalid, with a reason",
    ),
    "verify": Step(
        s.VerifyBody,
        lambda u, c, d: actions.verify(u, c, passed=d["passed"], note=d["note"]),
        "Record the on-site check (核查)",
    ),
    "rate": Step(
        s.RateBody,
        lambda u, c, d: actions.rate(u, c, rating=d["rating"], resolved=d["resolved"], comment=d["comment"]),
        "Rate the answer (the reporter only)",
    ),
}


def refusal_body(error: PermissionDenied | ValidationError) -> dict[str, Any]:
    """PermissionDenied as {"detail": text}; ValidationError as {field: [messages]} or {"detail": [messages]}."""
    if isinstance(error, PermissionDenied):
        return {"detail": str(error) or _("You may not do this to this case")}
    if hasattr(error, "error_dict"):
        return {field: list(messages) for field, messages in error.message_dict.items()}
    return {"detail": list(error.messages)}
