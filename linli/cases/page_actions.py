"""The actions a case page offers: for each, which predicate and workflow step allow it, the form it shows,
and the one call into linli.cases.actions that does it.

The page shows an action only when the named predicate and the state table (`workflow.allowed`) both allow
it; the action checks both again under its lock, so a stale page is refused, never obeyed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.accounts import predicates as p
from linli.accounts.scopes import restrict
from linli.orgs.directory import assignable_units, routable_units
from linli.orgs.queries import matters_for

from . import actions, forms, workflow
from .actions.handling import needs_verification
from .choices import ApprovalState, CaseState, ReviewOutcome
from .models import Case, CaseApproval, CaseReturn, WhistleCall
from .queries import merge_target


class Abilities:
    """The user's predicates on one case, each asked at most once per page."""

    def __init__(self, user: Any, case: Case):
        self.user, self.case = user, case

    @cached_property
    def handle(self) -> bool:
        return p.can_handle_case(self.user, self.case)

    @cached_property
    def dispatch(self) -> bool:
        return p.can_dispatch_case(self.user, self.case)

    @cached_property
    def review(self) -> bool:
        return p.can_review_return(self.user, self.case)

    @cached_property
    def decide(self) -> bool:
        return p.can_decide_approval(self.user, self.case)

    @cached_property
    def whistle(self) -> bool:
        return p.can_blow_whistle(self.user, self.case)

    @cached_property
    def verify(self) -> bool:
        return p.can_verify_case(self.user, self.case)

    @cached_property
    def rate(self) -> bool:
        return p.can_rate_case(self.user, self.case)

    @cached_property
    def reveal(self) -> bool:
        # Not offered to the reporter: it is their own name and number.
        own = self.case.reporter_id == self.user.pk
        return (
            bool(self.case.reporter_name or self.case.reporter_phone)
            and not own
            and p.can_reveal_reporter(self.user, self.case)
        )


def _assignable(user: Any, case: Case) -> Any:
    return assignable_units(user, place=case.place).order_by("kind", "code")


Maker = Callable[[Any, Case, Any, Any], django_forms.Form]
Runner = Callable[[Any, Case, dict[str, Any], Any], Any]


@dataclass(frozen=True)
class PageAction:
    name: str
    label: Any
    steps: tuple[str, ...]  # workflow steps, any of which makes the action possible
    may: Callable[[Abilities], bool]
    make: Maker
    run: Runner
    done: Any
    target: type[models.Model] | None = None  # a return, approval or whistle call the action is about
    # A further condition on the case for offering the form (the action itself refuses with a message).
    ready: Callable[[Case], bool] = lambda case: True

    def offered(self, ab: Abilities) -> bool:
        return any(workflow.allowed(ab.case, s) for s in self.steps) and self.ready(ab.case) and self.may(ab)


def _plain(form_class: type[django_forms.Form]) -> Maker:
    return lambda user, case, data, files: form_class(data, files)


def _dispatch_form(user: Any, case: Case, data: Any, files: Any) -> django_forms.Form:
    suggested = case.decision.unit_id if case.decision_id and case.decision else None
    return forms.DispatchForm(
        data,
        units=_assignable(user, case),
        matters=matters_for(user).filter(is_active=True).order_by("code"),
        initial={"unit": case.lead_unit_id or suggested, "matter": case.matter_id},
    )


def _run_dispatch(user: Any, case: Case, d: dict[str, Any], obj: Any) -> Any:
    return actions.dispatch_case(
        user, case, unit=d["unit"], co_units=list(d["co_units"]), matter=d["matter"], note=d["note"]
    )


def _run_review(user: Any, case: Case, d: dict[str, Any], ret: CaseReturn) -> Any:
    return actions.review_return(user, ret, uphold=d["outcome"] == "uphold", unit=d["unit"], note=d["note"])


def _run_approval_request(user: Any, case: Case, d: dict[str, Any], obj: Any) -> Any:
    return actions.request_approval(
        user, case, kind=d["kind"], reason=d["reason"], working_days=d.get("working_days") or 0
    )


def _run_merge(user: Any, case: Case, d: dict[str, Any], obj: Any) -> Any:
    primary = merge_target(user, d["primary"], exclude=case.pk)
    if primary is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"primary": _("No open case with this number that you may merge into")})
    return actions.merge(user, case, primary)


def _may_return(case: Case) -> bool:
    return case.return_count < settings.CASE_MAX_RETURNS


def _ready_to_rate(case: Case) -> bool:
    return case.state == CaseState.VERIFIED or not needs_verification(case)


REGISTRY: tuple[PageAction, ...] = (
    PageAction(
        "dispatch",
        _("Dispatch"),
        ("dispatch", "redispatch"),
        lambda ab: ab.dispatch,
        _dispatch_form,
        _run_dispatch,
        _("Dispatched"),
    ),
    PageAction(
        "co_units",
        _("Co-handling units"),
        ("set_co_units",),
        lambda ab: ab.dispatch,
        lambda user, case, data, files: forms.CoUnitsForm(data, units=_assignable(user, case)),
        lambda user, case, d, obj: actions.set_co_units(user, case, list(d["co_units"])),
        _("Co-handling units set"),
    ),
    PageAction(
        "accept",
        _("Accept"),
        ("accept",),
        lambda ab: ab.handle,
        _plain(forms.EmptyForm),
        lambda user, case, d, obj: actions.accept(user, case),
        _("Accepted"),
    ),
    PageAction(
        "contact",
        _("Resident contacted"),
        ("contact",),
        lambda ab: ab.handle,
        _plain(forms.ContactForm),
        lambda user, case, d, obj: actions.contact(user, case, note=d["note"]),
        _("Contact recorded"),
    ),
    PageAction(
        "note",
        _("Progress note"),
        ("note",),
        lambda ab: ab.handle,
        _plain(forms.NoteForm),
        lambda user, case, d, obj: actions.add_note(user, case, note=d["note"], public=d["public"]),
        _("Note added"),
    ),
    PageAction(
        "resolve",
        _("Resolve"),
        ("resolve",),
        lambda ab: ab.handle,
        _plain(forms.ResolveForm),
        lambda user, case, d, obj: actions.resolve(user, case, answer=d["answer"], photos=d["photos"]),
        _("Answered"),
    ),
    PageAction(
        "return",
        _("Return (not ours)"),
        ("return",),
        lambda ab: ab.handle,
        lambda user, case, data, files: forms.ReturnForm(
            data, units=routable_units(case.place).exclude(pk=case.lead_unit_id or 0).order_by("kind", "code")
        ),
        lambda user, case, d, obj: actions.return_case(
            user, case, reason=d["reason"], explanation=d["explanation"], suggested_unit=d["suggested_unit"]
        ),
        _("Returned for review"),
        ready=_may_return,
    ),
    PageAction(
        "review",
        _("Review the return"),
        ("review_return",),
        lambda ab: ab.review,
        lambda user, case, data, files: forms.ReviewReturnForm(data, units=_assignable(user, case)),
        _run_review,
        _("Return reviewed"),
        target=CaseReturn,
    ),
    PageAction(
        "request_approval",
        _("Ask for an extension or suspension"),
        ("request_approval",),
        lambda ab: ab.handle,
        _plain(forms.ApprovalRequestForm),
        _run_approval_request,
        _("Request for approval sent"),
    ),
    PageAction(
        "decide",
        _("Decide the request for approval"),
        ("decide_approval",),
        lambda ab: ab.decide,
        _plain(forms.DecideApprovalForm),
        lambda user, case, d, approval: actions.decide_approval(
            user, approval, approve=d["decision"] == "approve", note=d["note"]
        ),
        _("Decided"),
        target=CaseApproval,
    ),
    PageAction(
        "resume",
        _("Resume handling"),
        ("resume",),
        lambda ab: ab.handle,
        _plain(forms.EmptyForm),
        lambda user, case, d, obj: actions.resume(user, case),
        _("Resumed"),
    ),
    PageAction(
        "whistle",
        _("Blow the whistle"),
        ("blow_whistle",),
        lambda ab: ab.whistle,
        lambda user, case, data, files: forms.WhistleForm(
            data, units=_assignable(user, case).exclude(pk=case.lead_unit_id or 0)
        ),
        lambda user, case, d, obj: actions.blow_whistle(user, case, units=list(d["units"]), note=d["note"]),
        _("Whistle blown"),
    ),
    PageAction(
        "report",
        _("Report on site"),
        ("report_whistle",),
        lambda ab: True,  # per call: can_report_whistle, asked in `targets`
        _plain(forms.ReportWhistleForm),
        lambda user, case, d, call: actions.report_whistle(user, call, note=d["note"]),
        _("Reported on site"),
        target=WhistleCall,
    ),
    PageAction(
        "escalate",
        _("Escalate"),
        ("escalate",),
        lambda ab: ab.handle or ab.dispatch,
        _plain(forms.EscalateForm),
        lambda user, case, d, obj: actions.escalate(user, case, why=d["why"]),
        _("Escalated"),
    ),
    PageAction(
        "merge",
        _("Merge into another case"),
        ("merge",),
        lambda ab: ab.dispatch,
        _plain(forms.MergeForm),
        _run_merge,
        _("Merged"),
    ),
    PageAction(
        "invalid",
        _("Mark invalid"),
        ("invalidate",),
        lambda ab: ab.dispatch,
        _plain(forms.InvalidForm),
        lambda user, case, d, obj: actions.invalidate(user, case, reason=d["reason"], explanation=d["explanation"]),
        _("Marked invalid"),
    ),
    PageAction(
        "verify",
        _("Verify on site"),
        ("verify",),
        lambda ab: ab.verify,
        _plain(forms.VerifyForm),
        lambda user, case, d, obj: actions.verify(user, case, passed=d["result"] == "passed", note=d["note"]),
        _("Verification recorded"),
        ready=needs_verification,
    ),
    PageAction(
        "rate",
        _("Rate the answer"),
        ("rate",),
        lambda ab: ab.rate,
        _plain(forms.RateForm),
        lambda user, case, d, obj: actions.rate(
            user, case, rating=d["rating"], resolved=d["resolved"] == "yes", comment=d["comment"]
        ),
        _("Thank you for your rating"),
        ready=_ready_to_rate,
    ),
)
BY_NAME = {a.name: a for a in REGISTRY}


def targets(action: PageAction, user: Any, case: Case) -> models.QuerySet[Any]:
    """The open returns, approvals or whistle calls an object-bound action may be taken on, read in scope."""
    if action.target is CaseReturn:
        return (
            restrict(CaseReturn.objects.all(), user)
            .filter(case=case, outcome=ReviewOutcome.PENDING)
            .select_related("unit")
        )
    if action.target is CaseApproval:
        return restrict(CaseApproval.objects.all(), user).filter(case=case, state=ApprovalState.PENDING)
    if action.target is WhistleCall:
        calls = restrict(WhistleCall.objects.all(), user).filter(case=case, reported_at__isnull=True)
        mine = [c.pk for c in calls.select_related("unit") if p.can_report_whistle(user, c)]
        return WhistleCall.objects.filter(pk__in=mine).select_related("unit")
    raise LookupError(action.name)
