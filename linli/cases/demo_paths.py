"""The side paths of a simulated case in the demo history, each mirroring its action field by field:
returns and their review, extensions and suspensions, whistles, co-units, escalation, invalid, and merging
a duplicate into its primary (linli.cases.actions.side_paths and routing)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings

from linli.orgs.choices import OwnerLevel, UnitKind
from linli.orgs.deadlines import DeadlineSpec
from linli.worktime.clock import deadline

from . import demo_texts as T
from . import events
from .actions.routing import schedule_sweep
from .actions.side_paths import _resume_clock
from .choices import ApprovalKind, ApprovalState, AssignmentRole, InvalidReason, ReturnReason, ReviewOutcome
from .deadlines import whistle_due
from .demo_clock import DAY, Clock, S
from .models import CaseApproval, CaseAssignment, CaseReturn, WhistleCall

if TYPE_CHECKING:
    from .demo_life import Life

OPEN_FOR_MERGE = frozenset({S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.SUSPENDED})
WHISTLE_TYPES = ("city_enforcement", "urban_management", "market_regulation", "housing_management", "landscaping")


class SidePaths(Clock):
    def after_resolve(self) -> None:
        raise NotImplementedError

    def alternative(self, unit: Any) -> Any:
        """Where a dispatcher sends a case its unit returned: the street takes what is not a department's
        (街道兜底); a street's own return goes to the department of the matter."""
        if unit.kind != UnitKind.STREET_OFFICE:
            return self.cast.street_office.get(self.spot.street_id or -1)
        matter = self.case.matter
        types = [matter.department_type] if matter is not None and matter.owner_level == OwnerLevel.DISTRICT else []
        found = self.cast.department(self.spot, *types, "urban_management", "city_enforcement")
        return found if found is not None and found.pk != unit.pk else None

    def return_case(self) -> CaseReturn:
        c, reason = self.case, self.rng.choice(ReturnReason.values)
        suggested = self.alternative(c.lead_unit) if self.rng.random() < 0.5 else None
        ret = CaseReturn(
            pk=self.book.allocate(CaseReturn),
            case=c,
            unit=c.lead_unit,
            reason=reason,
            explanation=T.RETURN_EXPLANATIONS[reason],
            suggested_unit=suggested,
            returned_by=self.handler,
            returned_at=self.t,
        )
        self.returns.append(ret)
        old = c.state
        self.moved(S.RETURNED)
        c.return_count += 1
        if settings.CASE_RETURN_PAUSES_CLOCK:
            c.suspended_at = ret.returned_at
            c.sweep_due_at = None
        events.returned(c, self.handler, old, ret)
        return ret

    def review(self, ret: CaseReturn) -> None:
        c = self.case
        arbitrating = ret.unit.kind == UnitKind.STREET_OFFICE
        actor = (
            self.cast.commander.get(self.spot.district_id or -1) if arbitrating else self.cast.dispatcher_at(self.spot)
        )
        target = self.alternative(ret.unit) if self.rng.random() < 0.7 else None
        old = c.state
        self.moved(S.DISPATCHED)
        if target is not None:
            c.accountable_unit = target
            self.assign(target, [])
            ret.outcome, ret.final_unit, note = ReviewOutcome.UPHELD, target, self.pick(T.REVIEW_UPHELD)
        else:
            ret.outcome, ret.final_unit, note = ReviewOutcome.REJECTED, ret.unit, self.pick(T.REVIEW_REJECTED)
            _resume_clock(c, self.t)
        ret.reviewed_by, ret.reviewed_at, ret.review_note, ret.arbitrated = actor, self.t, note, arbitrating
        events.return_reviewed(c, actor, old, ret)

    def approval(self) -> None:
        c, kind = self.case, self.fate.approval
        self.step(self.work(60, 3 * DAY))
        if not self.allowed("request_approval"):
            return
        days = self.rng.randint(3, 10) if kind == ApprovalKind.EXTENSION else 0
        reasons = T.EXTENSION_REASONS if kind == ApprovalKind.EXTENSION else T.SUSPENSION_REASONS
        row = CaseApproval(
            pk=self.book.allocate(CaseApproval),
            case=c,
            kind=kind,
            unit=c.lead_unit,
            working_days=days,
            reason=self.pick(reasons),
            requested_by=self.handler,
            requested_at=self.t,
        )
        self.approvals.append(row)
        events.approval_requested(c, self.handler, row)
        self.step(self.work(30, 960), "decide")
        approver_is_street = self.lead.kind == UnitKind.COMMUNITY_COMMITTEE
        actor = (
            self.cast.dispatcher_at(self.spot)
            if approver_is_street
            else self.cast.commander.get(self.spot.district_id or -1)
        )
        approve, old = self.fate.approve, c.state
        row.state = ApprovalState.APPROVED if approve else ApprovalState.REFUSED
        row.decided_by, row.decided_at = actor, self.t
        row.decision_note = "" if approve else self.pick(T.REFUSAL_NOTES)
        if approve and kind == ApprovalKind.EXTENSION:
            c.handle_due = deadline(c.handle_due or self.t, DeadlineSpec(days, "wd"), self.cast.calendar)
            c.handle_overdue = False
            c.extension_count += 1
            schedule_sweep(c)
        elif approve:
            self.moved(S.SUSPENDED)
            c.suspended_at = self.t
            c.sweep_due_at = None
        events.approval_decided(c, actor, old, row)
        if approve and kind == ApprovalKind.SUSPENSION:
            self.step(self.work(3 * DAY, 12 * DAY), "resume")
            old = c.state
            self.moved(S.ACCEPTED if c.accepted_at else S.DISPATCHED)
            _resume_clock(c, self.t)
            events.resumed(c, self.handler, old)

    def whistle(self) -> None:
        c = self.case
        self.step(self.work(30, 600))
        if not self.allowed("blow_whistle"):
            return
        lead = c.lead_unit
        units = [u for t in WHISTLE_TYPES if (u := self.cast.department(self.spot, t)) is not None and u != lead]
        units = self.rng.sample(units, min(len(units), self.rng.choice((1, 1, 2))))
        if not units:
            return
        actor, note, now = self.cast.dispatcher_at(self.spot), self.pick(T.WHISTLE_NOTES), self.t
        calls = [
            WhistleCall(
                pk=self.book.allocate(WhistleCall),
                case=c,
                unit=u,
                note=note,
                blown_by=actor,
                blown_at=now,
                arrive_by=whistle_due(now),
            )
            for u in units
        ]
        self.calls.extend(calls)
        events.whistle_blown(c, actor, calls)
        arrivals = []
        for n, call in enumerate(calls):
            if n == 0 and self.fate.no_show:
                continue
            minutes = self.rng.uniform(5, 28) if self.rng.random() < 0.85 else self.rng.uniform(31, 90)
            arrivals.append((now + datetime.timedelta(minutes=minutes), call))
        for moment, call in sorted(arrivals, key=lambda pair: pair[0]):
            self.step(moment, "report")
            if not self.allowed("report_whistle"):
                continue
            reporter = self.cast.handler(call.unit, self.spot)
            call.reported_at, call.reported_by, call.report_note = self.t, reporter, self.pick(T.WHISTLE_REPORTS)
            call.late = call.late or call.reported_at > call.arrive_by
            events.whistle_reported(c, reporter, call)

    def set_co_units(self) -> None:
        c = self.case
        co = self.cast.committee.get(self.spot.community_id or -1)
        if co is None or co == c.lead_unit or not self.allowed("set_co_units"):
            return
        for row in self.assignments:
            if row.role == AssignmentRole.CO and row.ended_at is None:
                row.ended_at = self.t
        self.assignments.append(CaseAssignment(case=c, unit=co, role=AssignmentRole.CO, assigned_at=self.t))
        events.co_units_set(c, self.cast.dispatcher_at(self.spot), [co])

    def escalate(self) -> None:
        c = self.case
        target, before, old = self.cast.above(c, self.spot), c.lead_unit, c.state
        actor = self.handler
        self.moved(S.DISPATCHED)
        c.escalated_at = self.t
        self.assign(target, [])
        events.escalated(c, actor, old, to_unit=target, from_unit=before, why=self.pick(T.ESCALATE_WHY))

    def invalidate(self) -> None:
        c, old = self.case, self.case.state
        reason = self.rng.choices(InvalidReason.values, weights=(5, 1, 1, 3))[0]
        self.moved(S.INVALID)
        c.invalid_reason, c.closed_at, c.sweep_due_at = reason, self.t, None
        for row in self.assignments:
            row.ended_at = row.ended_at or self.t
        events.invalidated(
            c, self.cast.dispatcher_at(self.spot), old, reason=reason, explanation=T.INVALID_EXPLANATIONS[reason]
        )

    def merge_into(self, primary: Life) -> bool:
        """routing.merge: a duplicate joins an open primary of the same place and matter."""
        moment = self.work(10, 180)
        if primary.state_at(moment) not in OPEN_FOR_MERGE:
            return False
        self.step(moment)
        c, p, actor = self.case, primary.case, self.cast.dispatcher_at(self.spot)
        old = c.state
        self.moved(S.MERGED)
        c.merged_into, c.sweep_due_at = p, None
        for row in self.assignments:
            row.ended_at = row.ended_at or self.t
        events.merged(c, actor, old, p)
        final = p.state
        p.state = primary.state_at(self.t)  # the primary's builder reads its state as it was then
        try:
            events.duplicate_attached(p, actor, c)
        finally:
            p.state = final
        return True

    def follow_primary(self) -> None:
        """handling._answer_duplicates: the primary's answer reaches this reporter when it is resolved."""
        assert self.primary is not None
        answered = next((r for r in self.primary.resolutions if r[0] > self.t), None)
        if answered is None:
            return
        moment, actor, unit, answer = answered
        self.step(moment + datetime.timedelta(microseconds=1))
        c, old = self.case, self.case.state
        self.moved(S.RESOLVED)
        c.resolved_at, c.answer, c.lead_unit = moment, answer, unit
        events.resolved(c, actor, old, unit, answer=answer, photos=0, on_time=True)
        self.after_resolve()
