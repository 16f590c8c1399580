"""The clock of one simulated case in the demo history (linli.cases.demo_history): explicit past moments,
working time, and what the sweep would have done between two steps.

A case's steps mirror their actions (linli.cases.demo_life, demo_paths); between two steps the sweep's own
work happens here at the moments the sweep would have found it: overdue marks and 督办 (sweep._mark_due),
late whistle reports (sweep._late_whistles) and closing answers nobody rated (handling.close_unrated). A
step that would fall after `now` is not taken (`Stop`): the case stays where it is, which keeps the last
weeks' cases open in every state.
"""

from __future__ import annotations

import datetime
import functools
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings

from linli.worktime.clock import add_working_minutes, deadline, local

from . import events, workflow
from .actions.routing import schedule_sweep
from .choices import AssignmentRole, CaseState
from .models import Case, CaseApproval, CaseAssignment, CaseReturn, WhistleCall

if TYPE_CHECKING:
    from .demo_cast import Spot
    from .demo_history import Book
    from .demo_life import Life
    from .demo_plans import Fate

UTC = datetime.UTC
S = CaseState
DAY = 510  # working minutes in a working day (09:00–17:30)


class Stop(Exception):
    """The next step lies after `now`."""


class Clock:
    """A case being lived through: its time, the rows it makes, and the sweep's work between steps."""

    def __init__(self, book: Book, case: Case, spot: Spot, fate: Fate, rng: random.Random, submitter: Any) -> None:
        self.book, self.cast, self.case, self.spot, self.fate, self.rng = book, book.cast, case, spot, fate, rng
        self.submitter = submitter
        self.t = case.created_at
        self.events: list[tuple[datetime.datetime, int, Any]] = []
        self.states: list[tuple[datetime.datetime, str]] = []
        self.resolutions: list[tuple[datetime.datetime, Any, Any, str]] = []
        self.assignments: list[CaseAssignment] = []
        self.returns: list[CaseReturn] = []
        self.approvals: list[CaseApproval] = []
        self.calls: list[WhistleCall] = []
        self.primary: Life | None = None
        self._lags: dict[Any, datetime.timedelta] = {}

    def step(self, moment: datetime.datetime, name: str = "") -> None:
        """Move on to the step called `name` at `moment`, unless that lies after now or the case's fate
        says that the person it waits for has not acted yet."""
        if moment > self.book.now or (name and name == self.fate.stall):
            raise Stop
        self.settle(moment)
        self.t = self.book.clock = moment

    def work(self, lo: float, hi: float) -> datetime.datetime:
        """A moment `lo`–`hi` working minutes on (times `slow`): staff act in working hours."""
        minutes = max(1, int(self.rng.uniform(lo, hi) * self.fate.slow))
        moment = add_working_minutes(self.t, minutes, self.cast.calendar).astimezone(UTC)
        return moment + datetime.timedelta(seconds=self.rng.uniform(0, 59))

    def resident_time(self, lo_hours: float, hi_hours: float) -> datetime.datetime:
        moment = self.t + datetime.timedelta(hours=self.rng.uniform(lo_hours, hi_hours) * self.fate.slow)
        hour = local(moment).hour
        if hour < 7 or hour >= 23:
            moment += datetime.timedelta(hours=(31 - hour) % 24 + self.rng.uniform(0, 3))
        return moment

    def lag(self, key: Any) -> datetime.timedelta:
        """How long after a due moment the sweep (every CASE_SWEEP_SECONDS) finds it."""
        if key not in self._lags:
            self._lags[key] = datetime.timedelta(seconds=self.rng.uniform(0.5, settings.CASE_SWEEP_SECONDS))
        return self._lags[key]

    def settle(self, until: datetime.datetime) -> None:
        """Whatever the sweep would have done up to `until` (never after now)."""
        until = min(until, self.book.now)
        c = self.case
        while True:
            moments: list[tuple[datetime.datetime, Callable[[datetime.datetime], None]]] = []
            if c.state in (S.DISPATCHED, S.ACCEPTED, S.RETURNED) and c.sweep_due_at is not None:
                moments.append((c.sweep_due_at + self.lag(("due", c.sweep_due_at)), self._mark_due))
            for call in self.calls:
                if call.reported_at is None and not call.late:
                    moments.append((call.arrive_by + self.lag(("call", call.pk)), functools.partial(self._late, call)))
            if c.state in (S.RESOLVED, S.VERIFIED) and c.resolved_at is not None:
                window = datetime.timedelta(days=settings.CASE_RATING_WINDOW_DAYS)
                moments.append((c.resolved_at + window + self.lag(("close", c.resolved_at)), self._close_unrated))
            if not moments:
                return
            moment, apply = min(moments, key=lambda pair: pair[0])
            if moment > until:
                return
            self.t = self.book.clock = moment
            apply(moment)

    def _mark_due(self, now: datetime.datetime) -> None:  # sweep._mark_due
        c = self.case
        if c.contacted_at is None and c.contact_due and c.contact_due <= now and not c.contact_overdue:
            c.contact_overdue = True
            events.overdue(c, which="contact", due=c.contact_due)
        if c.handle_due and c.handle_due <= now and not c.handle_overdue:
            c.handle_overdue = True
            events.overdue(c, which="handle", due=c.handle_due)
            above = self.cast.above(c, self.spot)
            if above is not None:
                c.escalated_at = now
                events.escalated(c, None, c.state, to_unit=above, from_unit=c.lead_unit, why="overdue")
        schedule_sweep(c)

    def _late(self, call: WhistleCall, now: datetime.datetime) -> None:  # sweep._late_whistles
        call.late = True
        events.whistle_late(self.case, call)

    def _close_unrated(self, now: datetime.datetime) -> None:  # handling.close_unrated
        old = self.case.state
        self.moved(S.CLOSED)
        self.case.closed_at = now
        events.closed(self.case, None, old, why="not rated in time")

    def moved(self, state: str) -> None:
        self.case.state = state
        self.states.append((self.t, state))

    def state_at(self, moment: datetime.datetime) -> str:
        """The case's state at `moment` ("" before it came in)."""
        found = ""
        for when, state in self.states:
            if when > moment:
                break
            found = state
        return found

    @property
    def lead(self) -> Any:
        assert self.case.lead_unit is not None, "a step for the lead unit on a case that has none"
        return self.case.lead_unit

    @property
    def handler(self) -> Any:
        return self.cast.handler(self.case.lead_unit, self.spot)

    def allowed(self, name: str) -> bool:
        return workflow.allowed(self.case, name)

    def assign(self, unit: Any, co_units: list[Any]) -> None:  # routing.assign
        c, now = self.case, self.t
        for row in self.assignments:
            if row.ended_at is None:
                row.ended_at = now
        self.assignments.append(CaseAssignment(case=c, unit=unit, role=AssignmentRole.LEAD, assigned_at=now))
        for co in co_units:
            if co.pk != unit.pk:
                self.assignments.append(CaseAssignment(case=c, unit=co, role=AssignmentRole.CO, assigned_at=now))
        c.lead_unit = unit
        if c.accountable_unit_id is None:
            c.accountable_unit = unit
        if c.dispatched_at is None:
            c.dispatched_at = now
        specs = self.cast.specs(c.matter, c.urgency, unit)
        c.contact_due = deadline(now, specs.contact, self.cast.calendar)
        c.handle_due = deadline(now, specs.handle, self.cast.calendar)
        c.contact_overdue = c.handle_overdue = False
        schedule_sweep(c)

    def pick(self, options: Any) -> str:
        return str(options[self.rng.randrange(len(options))])

    def rehandle_due(self) -> datetime.datetime:
        specs = self.cast.specs(self.case.matter, self.case.urgency, self.case.lead_unit)
        return deadline(self.t, specs.rehandle, self.cast.calendar)
