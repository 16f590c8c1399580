"""What the demo history's requests will be (linli.cases.demo_history): when and how each comes in, what
it says, where, and what will happen to it.

Shares: channels as a 12345 centre sees them (web ~45%, hotline ~35%, grid ~15%, API ~5%); a season
(summer storms and the heating months busier, the Spring Festival quieter), fewer on rest days (grid
patrols hardly work then) and each channel's hours of the day; outcomes as `Fate.draw` says. The last
weeks also hold a few cases made to stop in each state (`TARGETS`), so that every queue has work.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Max

from linli.core.crypto import digest
from linli.dispatch.choices import Channel
from linli.worktime.clock import add_working_days, local, workday_hours, zone

from .choices import CaseState, Urgency
from .deadlines import deadlines_for
from .demo_cast import Cast, Spot
from .demo_clock import UTC
from .demo_texts import Message, messages
from .models import Case

if TYPE_CHECKING:
    from .demo_life import Life

CHANNELS: dict[str, int] = {Channel.WEB: 45, Channel.HOTLINE: 35, Channel.GRID: 15, Channel.API: 5}
SEASON: dict[int, float] = {
    1: 1.15,
    2: 0.8,
    3: 0.95,
    4: 1.0,
    5: 1.0,
    6: 1.1,
    7: 1.25,
    8: 1.2,
    9: 1.0,
    10: 0.9,
    11: 1.1,
    12: 1.15,
}
HOURS: dict[str, tuple[float, ...]] = {
    Channel.WEB: (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 4, 4, 4, 3.5, 3.5, 4, 4, 3.5, 3.5, 4, 5, 5.5, 5, 4, 2.5),
    Channel.HOTLINE: (
        0.6,
        0.3,
        0.2,
        0.2,
        0.2,
        0.3,
        0.8,
        2.5,
        5,
        6,
        6,
        5.5,
        4,
        4.5,
        5.5,
        5.5,
        5,
        4.5,
        3.5,
        3,
        2.5,
        2,
        1.5,
        1,
    ),
    Channel.GRID: (0, 0, 0, 0, 0, 0, 0, 0.5, 3, 5, 5, 4, 1, 2, 4, 4, 3, 1, 0, 0, 0, 0, 0, 0),
}
HOURS[Channel.API] = HOURS[Channel.WEB]
WEEKEND: dict[str, float] = {Channel.WEB: 0.85, Channel.HOTLINE: 0.8, Channel.GRID: 0.25, Channel.API: 0.85}
DUPLICATE_SHARE = 0.03


@dataclass
class Fate:
    """What will happen to a case, drawn when it is submitted."""

    auto: bool = True
    invalid: bool = False
    returns: int = 0
    return_after_accept: bool = False
    escalate: bool = False
    whistle: bool = False
    no_show: bool = False
    approval: str = ""
    approve: bool = True
    late: bool = False
    no_contact: bool = False
    verify_fail: bool = False
    rates: bool = True
    unhappy: int = 0
    notes: int = 0
    co_unit: bool = False
    slow: float = 1.0  # stretches the waits
    stall: str = ""  # the step whose person has not acted yet (the last weeks' cases meant for a queue)

    @classmethod
    def draw(cls, rng: random.Random, listed: bool) -> Fate:
        r = rng.random
        return cls(
            auto=r() < (0.6 if listed else 0.35),
            invalid=r() < 0.02,
            returns=(1 if r() < 0.06 else 0) + (1 if r() < 0.01 else 0),
            return_after_accept=r() < 0.4,
            escalate=r() < 0.01,
            whistle=r() < 0.025,
            approval="extension" if r() < 0.03 else ("suspension" if r() < 0.01 else ""),
            approve=r() < 0.85,
            late=r() < 0.07,
            no_contact=r() < 0.03,
            verify_fail=r() < 0.08,
            rates=r() < 0.8,
            unhappy=(1 if r() < 0.07 else 0) + (1 if r() < 0.01 else 0),
            notes=rng.choice((0, 0, 0, 1, 1, 2)),
            co_unit=r() < 0.02,
        )


@dataclass
class Target:
    """A state some of the last weeks' cases must be in at the end, so that every queue has work."""

    name: str
    ages: tuple[float, float]  # hours before now the case comes in
    fate: dict[str, Any]
    wanted: Any  # Life → bool
    channel: str = Channel.WEB
    resident: bool = False  # reported by the demo resident ("my requests")
    verification: bool | None = None  # needs a matter checked on site (True), or one that is not (False)


def open_case(life: Life) -> bool:
    return life.case.is_open and life.case.state != CaseState.MERGED


def _due_by_next_working_day(life: Life) -> bool:
    case, now = life.case, life.book.now
    if case.state not in (CaseState.DISPATCHED, CaseState.ACCEPTED) or case.handle_due is None:
        return False
    return now < case.handle_due <= add_working_days(now, 1, life.cast.calendar)


S = CaseState
TARGETS = (
    Target("submitted", (0.1, 3), {"auto": False, "stall": "dispatch"}, lambda x: x.case.state == S.SUBMITTED),
    Target("dispatched", (0.2, 30), {"returns": 0, "stall": "accept"}, lambda x: x.case.state == S.DISPATCHED),
    Target(
        "accepted",
        (20, 90),
        {"returns": 0, "approval": "", "whistle": False, "stall": "resolve"},
        lambda x: x.case.state == S.ACCEPTED and not x.case.handle_overdue,
        resident=True,
    ),
    Target("returned", (2, 30), {"returns": 1, "stall": "review"}, lambda x: x.case.state == S.RETURNED),
    Target(
        "approval",
        (24, 120),
        {"returns": 0, "approval": "extension", "stall": "decide"},
        lambda x: any(a.state == "pending" for a in x.approvals),
    ),
    Target(
        "suspended",
        (72, 300),
        {"returns": 0, "approval": "suspension", "approve": True, "stall": "resume"},
        lambda x: x.case.state == S.SUSPENDED,
    ),
    Target(
        "whistle",
        (24, 120),
        {"returns": 0, "whistle": True, "stall": "report"},
        lambda x: open_case(x) and any(c.reported_at is None for c in x.calls),
    ),
    Target("overdue", (190, 480), {"returns": 0, "stall": "resolve"}, lambda x: open_case(x) and x.case.handle_overdue),
    Target(
        "contact_overdue",
        (48, 150),
        {"returns": 0, "no_contact": True, "stall": "resolve"},
        lambda x: open_case(x) and x.case.contact_overdue and x.case.contacted_at is None,
    ),
    Target("due_soon", (72, 170), {"returns": 0, "stall": "resolve"}, _due_by_next_working_day),
    Target(
        "resolved",
        (48, 200),
        {"returns": 0, "late": False, "stall": "rate"},
        lambda x: x.case.state == S.RESOLVED,
        resident=True,
        verification=False,
    ),
    Target(
        "verified",
        (48, 200),
        {"returns": 0, "verify_fail": False, "late": False, "stall": "rate"},
        lambda x: x.case.state == S.VERIFIED,
        verification=True,
    ),
    Target(
        "reopened",
        (100, 300),
        {"returns": 0, "rates": True, "unhappy": 1, "stall": "rehandle"},
        lambda x: open_case(x) and x.case.reopen_count > 0,
        resident=True,
        verification=False,
    ),
    Target(
        "closed",
        (240, 1200),
        {"returns": 0, "rates": True, "unhappy": 0},
        lambda x: x.case.state == S.CLOSED and bool(x.case.rating),
        resident=True,
        verification=False,
    ),
    Target("merged", (2, 60), {"invalid": False}, lambda x: x.case.state == S.MERGED),
    Target("invalid", (2, 300), {"invalid": True}, lambda x: x.case.state == S.INVALID),
)


@dataclass
class Plan:
    created: datetime.datetime
    channel: str
    spot: Spot
    message: Message
    matter: Any
    urgency: str
    reporter: Any = None
    submitter: Any = None
    name: str = ""
    phone: str = ""
    duplicate: bool = False
    target: Target | None = None
    index: int = 0  # the how-manieth case of its target
    pk: int = 0


class Matcher:
    """The engine's keyword rule without a model (dispatch.rules + engine._rule_probabilities): the class
    with the heaviest keyword hits wins, and its strongest hit names the matter; no hit, no matter. Only the
    words whose first two characters occur in the text are looked for: the same hits as testing every
    word, many times faster."""

    def __init__(self, cast: Cast) -> None:
        self.owners: dict[str, list[Any]] = {}  # word → the matters that list it (or are named by it)
        self.starting: dict[str, list[str]] = {}  # first two characters → words
        for matter in sorted(cast.matters.values(), key=lambda m: m.code):
            for word in {*[k for k in (matter.keywords or []) if len(k) >= 2], matter.name} - {""}:
                self.owners.setdefault(word, []).append(matter)
        for word in self.owners:
            self.starting.setdefault(word[:2], []).append(word)
        self.heads = set(self.starting)
        self._seen: dict[Message, Any] = {}

    def __call__(self, message: Message) -> Any:
        if message not in self._seen:
            text = f"{message.title} {message.body}"
            pairs = {text[i : i + 2] for i in range(len(text))} & self.heads
            present = {w for pair in pairs for w in self.starting[pair] if w in text}
            weights: Counter[Any] = Counter()
            for word in present:
                for matter in self.owners[word]:
                    weights[matter] += len(word)
            hits = sorted((-weight, matter.code, matter) for matter, weight in weights.items())
            by_class: Counter[str] = Counter()
            for weight, _code, matter in hits:
                by_class[matter.category] -= weight
            top = by_class.most_common(1)[0][0] if by_class else None
            self._seen[message] = next((m for _w, _c, m in hits if m.category == top), None)
        return self._seen[message]


def _moment(rng: random.Random, cast: Cast, channel: str, now: datetime.datetime, days: int) -> datetime.datetime:
    today = local(now).date()
    while True:
        day = today - datetime.timedelta(days=rng.randrange(days))
        weight = SEASON[day.month] * (1 if cast.calendar.is_working_day(day) else WEEKEND[channel])
        if rng.random() * 1.25 > weight:
            continue
        hour = rng.choices(range(24), weights=HOURS[channel])[0]
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone()) + datetime.timedelta(
            seconds=rng.uniform(0, 3600)
        )
        if moment < now - datetime.timedelta(minutes=1):
            return moment.astimezone(UTC)


class Planner:
    """Draws the plans: the year's requests in proportion, and the last weeks' cases for each target."""

    def __init__(self, cast: Cast, now: datetime.datetime) -> None:
        self.cast, self.now = cast, now
        self.match = Matcher(cast)
        self.pool = list(messages())
        self.focus = [s for s in cast.spots if s.grid_id == cast.focus_grid] or cast.spots
        # Messages whose matter is checked on site (事件, 部件) and messages whose matter is not.
        self.checked = {
            flag: [m for m in self.pool[:3000] if _checked(self.match(m)) is flag] or self.pool
            for flag in (True, False)
        }

    def person(self, rng: random.Random, plan: Plan, reporter: Any = None) -> None:
        """Who brings the request in, on its channel (as intake.submit_request records them)."""
        if plan.channel in (Channel.WEB, Channel.API):
            plan.reporter = plan.submitter = reporter or rng.choice(self.cast.residents)
            plan.name, plan.phone = plan.reporter.display_name, plan.reporter.phone
        elif plan.channel == Channel.HOTLINE:
            plan.submitter = rng.choice(self.cast.operators) if self.cast.operators else None
            plan.name = f"{rng.choice('王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林')}{rng.choice(('先生', '女士'))}"
            plan.phone = self.cast.caller_phone(rng)
        else:
            plan.submitter = self.cast.field_worker(plan.spot)
            if plan.submitter is None:  # no one patrols here: the request comes by phone instead
                plan.channel = Channel.HOTLINE
                self.person(rng, plan)

    def plan(
        self, rng: random.Random, created: datetime.datetime, channel: str, pool: list[Message], spots: list[Spot]
    ) -> Plan:
        message = rng.choice(pool)
        matter = self.match(message)
        urgent = rng.random() < (0.15 if matter is not None and matter.is_utility else 0.04)
        plan = Plan(created, channel, rng.choice(spots), message, matter, Urgency.URGENT if urgent else Urgency.NORMAL)
        self.person(rng, plan)
        return plan

    def moment(self, rng: random.Random, channel: str, days: int = 365) -> datetime.datetime:
        """When a request on `channel` comes in: a day by season and rest days, an hour by the channel."""
        today = local(self.now).date()
        while True:
            day = today - datetime.timedelta(days=rng.randrange(days))
            weight = SEASON[day.month] * (1 if self.cast.calendar.is_working_day(day) else WEEKEND[channel])
            if rng.random() * 1.25 > weight:
                continue
            hour = rng.choices(range(24), weights=HOURS[channel])[0]
            start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone())
            moment = start + datetime.timedelta(seconds=rng.uniform(0, 3600))
            if moment < self.now - datetime.timedelta(minutes=1):
                return moment.astimezone(UTC)

    def for_target(self, rng: random.Random, target: Target, n: int, pk: int = 0, stretch: float = 1) -> Plan:
        """The n-th case meant to end in `target`'s state; drawn again (same n and id) when a try misses, with
        its age range stretched after a few misses (a long holiday before `now` leaves no working time)."""
        pool = self.pool if target.verification is None else self.checked[target.verification]
        hours = rng.uniform(*target.ages) * stretch
        created = (self.now - datetime.timedelta(hours=hours)).astimezone(UTC)
        plan = self.plan(rng, created, target.channel, pool, self.focus if n % 2 == 0 else self.cast.spots)
        if target.wanted is _due_by_next_working_day:
            plan.created = self._due_tomorrow(rng, plan) or plan.created
        plan.target, plan.index, plan.pk = target, n, pk
        if target.resident and n < 2 and self.cast.demo_resident is not None:
            self.person(rng, plan, reporter=self.cast.demo_resident)
        plan.duplicate = target.name == "merged"
        return plan

    def _due_tomorrow(self, rng: random.Random, plan: Plan) -> datetime.datetime | None:
        """A morning on which a case dispatched that day falls due at the end of the next working day: the
        deadline counts whole working days, so a random age hits that one day only by luck (and hardly ever
        in the evening, when the window left before it is a single closing time)."""
        spec = deadlines_for(plan.matter, plan.urgency, None).handle
        if spec.unit != "wd" or spec.amount < 1:
            return None
        calendar = self.cast.calendar
        day, counted = local(add_working_days(self.now, 1, calendar)).date(), 0
        while counted < spec.amount:
            day -= datetime.timedelta(days=1)
            counted += calendar.is_working_day(day)
        opening = datetime.datetime.combine(day, workday_hours()[0], tzinfo=zone())
        created = opening + datetime.timedelta(minutes=rng.uniform(0, 60))
        return created.astimezone(UTC) if created < self.now - datetime.timedelta(hours=2) else None

    def plans(self, rng: random.Random, count: int) -> list[Plan]:
        each = max(1, count // 2000)
        plans = [self.for_target(rng, target, n) for target in TARGETS for n in range(each)]
        channels = rng.choices(list(CHANNELS), weights=list(CHANNELS.values()), k=max(0, count - len(plans)))
        for channel in channels:
            plan = self.plan(rng, self.moment(rng, channel), channel, self.pool, self.cast.spots)
            plan.duplicate = rng.random() < DUPLICATE_SHARE
            plans.append(plan)
        plans.sort(key=lambda p: p.created)
        first = (Case.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        for n, plan in enumerate(plans):
            plan.pk = first + n
        return plans


def _checked(matter: Any) -> bool | None:
    return None if matter is None else matter.case_type in ("事件", "部件")


def case_from(plan: Plan) -> Case:
    phone = plan.phone
    personal = plan.channel in (Channel.WEB, Channel.API, Channel.HOTLINE)
    return Case(
        pk=plan.pk,
        channel=plan.channel,
        urgency=plan.urgency,
        title=plan.message.title,
        body=plan.message.body,
        place_id=plan.spot.place_id,
        address=plan.spot.address,
        longitude=plan.spot.longitude if plan.channel != Channel.HOTLINE else None,
        latitude=plan.spot.latitude if plan.channel != Channel.HOTLINE else None,
        matter=plan.matter,
        category=getattr(plan.matter, "category", "") or "",
        reporter=plan.reporter,
        entered_by=plan.submitter if plan.reporter is None else None,
        reporter_name=plan.name,
        reporter_phone=phone,
        reporter_phone_digest=digest(phone) if phone else "",
        consented_at=plan.created if personal else None,
        created_at=plan.created,
    )
