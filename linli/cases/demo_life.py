"""One case's life in the demo history, step by step at explicit past moments.

Each step mirrors its action in linli.cases.actions field by field (the same state table, the same
deadlines, the same assignment rules) and writes its event through the action's own builder in
linli.cases.events; the builders run under `timeline.collecting`, so the events are gathered in memory and
chained per case afterwards (linli.cases.demo_history). The side paths are in demo_paths, the clock and
the sweep's work between steps in demo_clock.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from linli.dispatch.choices import Channel
from linli.orgs.choices import UnitKind
from linli.worktime.clock import add_working_minutes

from . import demo_texts as T
from . import events
from .actions.handling import needs_verification
from .actions.intake import ROUTE_BACKSTOP, channel_label
from .actions.routing import schedule_sweep
from .choices import Rating
from .demo_clock import DAY, UTC, S, Stop
from .demo_paths import SidePaths


class Life(SidePaths):
    def live(self) -> None:
        try:
            self.submit()
            if self.fate.invalid:
                self.step(self.work(20, 240))
                self.invalidate()
            elif self.primary is not None and self.merge_into(self.primary):
                self.follow_primary()
            else:
                self.route()
                self.handle()
        except Stop:
            pass
        self.settle(self.book.now)

    def submit(self) -> None:  # intake.submit_request
        c = self.case
        c.state = S.SUBMITTED
        c.sweep_due_at = c.created_at + ROUTE_BACKSTOP
        self.states.append((self.t, S.SUBMITTED))
        self.book.clock = self.t
        actor = self.submitter if getattr(self.submitter, "pk", None) else None
        if c.channel not in self.book.labels:
            self.book.labels[c.channel] = channel_label(c.channel)
        # The simulated requests have no photos: told, so that the builder asks the database nothing.
        events.submitted(c, actor, label=self.book.labels[c.channel], photos=0)

    def route(self) -> None:
        unit = self.cast.owner(self.case.matter, self.spot)
        if unit is None:
            raise Stop  # nobody to send it to: it waits in the dispatch queue
        if self.fate.auto:  # routing.route_case, automatic
            self.step(self.t + datetime.timedelta(seconds=self.rng.uniform(1, 60)))
            old = self.case.state
            self.moved(S.DISPATCHED)
            self.assign(unit, [])
            reason = self.book.labels.setdefault("auto", _("given with the request"))
            events.dispatched(self.case, None, old, mode="auto", unit=unit, co_units=[], reason=reason)
            return
        self.case.sweep_due_at = None  # route_case found no sure answer: the dispatchers' queue shows it
        self.step(self.work(10, 150), "dispatch")
        self.dispatch(unit)

    def dispatch(self, unit: Any) -> None:  # routing.dispatch_case
        old = self.case.state
        self.moved(S.DISPATCHED)
        self.assign(unit, [])
        actor = self.cast.dispatcher_at(self.spot)
        events.dispatched(self.case, actor, old, mode="manual", unit=unit, co_units=[], reason="")

    def handle(self) -> None:
        f = self.fate
        while True:
            if f.returns > 0 and self.case.return_count < settings.CASE_MAX_RETURNS:
                f.returns -= 1
                if f.return_after_accept:
                    self.step(self.work(5, 240), "accept")
                    self.accept()
                self.step(self.work(20, 480))
                ret = self.return_case()
                self.step(self.work(20, 600), "review")
                self.review(ret)
                continue
            self.step(self.work(5, 240), "accept")
            self.accept()
            if f.escalate and self.cast.above(self.case, self.spot) is not None:
                f.escalate = False
                self.step(self.work(60, 900))
                self.escalate()
                continue
            break
        if not f.no_contact:
            self.step(self.work(10, 300))
            self.contact()
        if f.co_unit:
            self.step(self.work(30, 300))
            self.set_co_units()
        if f.whistle:
            self.whistle()
        for _n in range(f.notes):
            self.step(self.work(60, 1200))
            note, public = self.pick(T.PROGRESS_NOTES), self.rng.random() < 0.5
            events.noted(self.case, self.handler, self.lead.name, note=note, public=public)
        if f.approval and self.lead.kind != UnitKind.COMMAND_CENTRE:
            self.approval()
        self.resolve_by_due(T.ANSWER_TEMPLATES)
        self.after_resolve()

    def accept(self) -> None:
        old = self.case.state
        self.moved(S.ACCEPTED)
        self.case.accepted_at = self.t
        events.accepted(self.case, self.handler, old, self.case.lead_unit)

    def contact(self) -> None:
        c = self.case
        on_time = c.contact_due is None or self.t <= c.contact_due
        if c.contacted_at is None:
            c.contacted_at = self.t
        schedule_sweep(c)
        note = self.pick(T.GRID_CONTACT_NOTES if c.channel == Channel.GRID else T.CONTACT_NOTES)
        events.contacted(c, self.handler, c.lead_unit, note=note, on_time=on_time)

    def resolve_by_due(self, answers: tuple[str, ...], name: str = "resolve") -> None:
        """Resolve within the handling deadline, or some working days after it when the case runs late."""
        due = self.case.handle_due or self.t
        if self.fate.late:
            moment = add_working_minutes(max(due, self.t), self.rng.randint(60, 4 * DAY), self.cast.calendar)
            self.step(moment.astimezone(UTC), name)
        elif due > self.t:
            target = self.t + (due - self.t) * self.rng.uniform(0.2, 0.9) * self.fate.slow
            self.step(add_working_minutes(target, self.rng.randint(1, 60), self.cast.calendar).astimezone(UTC), name)
        else:
            self.step(self.work(60, 600), name)
        reply = self.book.replies.get(self.case.pk, "")
        answer = reply if reply and not self.case.reopen_count else self.pick(answers).format(unit=self.lead.name)
        self.resolve(answer)

    def resolve(self, answer: str) -> None:
        c, old = self.case, self.case.state
        self.moved(S.RESOLVED)
        c.resolved_at, c.answer = self.t, answer
        on_time = c.handle_due is None or self.t <= c.handle_due
        c.sweep_due_at = None
        events.resolved(c, self.handler, old, c.lead_unit, answer=answer, photos=0, on_time=on_time)
        self.resolutions.append((self.t, self.handler, c.lead_unit, answer))

    def after_resolve(self) -> None:
        c, f = self.case, self.fate
        failed = False
        while True:
            if needs_verification(c):
                self.step(self.work(60, 1400), "verify")
                if f.verify_fail and not failed:
                    failed = True
                    self.verify(False)
                    self.resolve_by_due(T.REHANDLE_ANSWERS, "rehandle")
                    continue
                self.verify(True)
            if c.reporter_id is None or not f.rates:
                return  # nobody rates: the sweep closes it after the window (settle)
            self.step(self.resident_time(2, 120), "rate")
            if not self.allowed("rate"):
                return
            if f.unhappy > 0 and c.reopen_count < 2:
                f.unhappy -= 1
                unresolved = self.rng.random() < 0.25
                self.rate(Rating.BASIC if unresolved else Rating.UNSATISFIED, False)
                self.resolve_by_due(T.REHANDLE_ANSWERS, "rehandle")
                continue
            self.rate(Rating.SATISFIED if self.rng.random() < 0.86 else Rating.BASIC, True)
            return

    def verify(self, passed: bool) -> None:
        c, old = self.case, self.case.state
        if passed:
            self.moved(S.VERIFIED)
        else:
            self.moved(S.ACCEPTED)
            c.handle_due = self.rehandle_due()
            c.handle_overdue = False
            schedule_sweep(c)
        note = self.pick(T.VERIFY_PASSED if passed else T.VERIFY_FAILED)
        events.verified(c, self.cast.field_worker(self.spot), old, passed=passed, note=note)

    def rate(self, rating: str, resolved: bool) -> None:
        c, old = self.case, self.case.state
        comment = self.pick(T.RATING_COMMENTS[rating])
        c.rating, c.resolved_by_rating, c.rating_comment, c.rated_at = rating, resolved, comment, self.t
        if rating != Rating.UNSATISFIED and resolved:
            self.moved(S.CLOSED)
            c.closed_at = self.t
            events.rated(c, c.reporter, old, rating=rating, resolved=resolved, comment=comment)
            return
        self.moved(S.ACCEPTED)
        events.rated(c, c.reporter, old, rating=rating, resolved=resolved, comment=comment)
        c.reopen_count += 1  # handling._reopen
        c.resolved_at = None
        c.handle_due = self.rehandle_due()
        c.handle_overdue = False
        if c.merged_into_id:
            c.merged_into = None
        schedule_sweep(c)
        events.reopened(
            c, S.ACCEPTED, why="unsatisfied" if rating == Rating.UNSATISFIED else "unresolved", unit=c.lead_unit
        )
