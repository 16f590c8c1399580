"""The demo's owners' votes and deliberation topics (issue 19, item 4), on the demo registry, through the
actions, with explicit past moments where a vote's window lies in the past.

The demo community (the one the demo staff accounts work in) has estates with registered owners: the demo
resident's own estate gets the open vote (she has not voted: she can, from her phone), a second estate a closed
ordinary vote that passed, and the estate the developer still holds unsold parts in a closed major vote that
failed on area although most heads said yes (the developer, one head with about a third of the area, opposed).
Ballots of the closed votes are recorded as paper double entries (the community worker and the secretary) or
in person; the open one also has a paper ballot whose two entries differ, waiting on the paper desk.

Topics cover every state; one decided by the committee has opened a follow-up case, one waits on the open vote,
and one was decided by the closed vote that passed.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import Grant, User
from linli.people.models import Ownership, Person
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .actions import ballots, votes
from .actions.discussion import comment, hide_comment
from .actions.follow_up import mark_done, open_follow_up_case
from .actions.meetings import record_attendance, record_minutes, schedule_meeting
from .actions.topics import (
    decide_by_committee,
    draft_proposal,
    open_discussion,
    publish_result,
    put_to_vote,
    raise_topic,
    reject_topic,
)
from .choices import ABSTAIN, AGREE, OPPOSE, DecisionOutcome, MeetingKind, QuestionKind, VoteState
from .models import Topic
from .models_votes import RollEntry, Vote

DEVELOPER = "北京东华房地产开发有限公司"  # linli.people.demo_settle's developer, holding unsold parts
DAY = datetime.timedelta(days=1)


@dataclass
class Summary:
    votes: dict[str, str] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)


@dataclass
class Cast:
    admin: User
    worker: User
    secretary: User
    resident: User
    grid: User
    community: Place
    now: datetime.datetime
    rng: random.Random


def _cast(seed: int) -> Cast | None:
    users = {
        u.username: u for u in User.objects.filter(username__in=["admin", "community", "secretary", "resident", "grid"])
    }
    grant = Grant.objects.filter(user__username="community", place__isnull=False).select_related("place").first()
    if len(users) < 5 or grant is None or grant.place is None:
        return None
    return Cast(
        users["admin"],
        users["community"],
        users["secretary"],
        users["resident"],
        users["grid"],
        grant.place,
        timezone.now().replace(second=0, microsecond=0),
        random.Random(seed),
    )


def _estates(cast: Cast) -> tuple[Place, Place, Place] | None:
    """(the resident's estate, another estate with owners, the developer's estate) under the demo community."""
    mine = Person.objects.filter(phone_digest=cast.resident.phone_digest, left_on__isnull=True).first()
    estates = list(Place.objects.filter(level=PlaceLevel.ESTATE, is_active=True).under(cast.community).order_by("path"))
    if mine is None or len(estates) < 3:
        return None
    home = next((e for e in estates if mine.place.path.startswith(e.path)), None)
    held = Ownership.objects.filter(organisation=DEVELOPER, until__isnull=True)
    developer = next((e for e in estates if held.filter(house__path__startswith=e.path).exists()), None)
    other = next((e for e in estates if e not in (home, developer)), None)
    if home is None or developer is None or other is None or home == developer:
        return None
    return home, other, developer


def _hold_vote(
    cast: Cast,
    place: Place,
    title: str,
    description: str,
    questions: list[tuple[str, str]],
    opens: datetime.datetime,
    closes: datetime.datetime,
    choose: Callable[[RollEntry, list[str]], dict[str, str] | None],
) -> Vote:
    """Create and open a vote, then record the ballots `choose` gives (None: did not vote), spread over the
    window up to now, half as paper double entries and half in person."""
    vote = votes.create_vote(
        cast.worker,
        place=place,
        title=title,
        description=description,
        opens_at=opens,
        closes_at=closes,
        questions=questions,
        now=opens - DAY,
    )
    votes.open_vote(cast.worker, vote, now=opens)
    qids = [str(pk) for pk in vote.questions.order_by("position").values_list("pk", flat=True)]
    last = min(closes, cast.now) - datetime.timedelta(minutes=5)
    entries = list(RollEntry.objects.filter(vote=vote).order_by("pk"))
    moments = sorted(opens + (last - opens) * cast.rng.random() for _ in entries)
    for entry, moment in zip(entries, moments, strict=True):
        choices = choose(entry, qids)
        if choices is None:
            continue
        if cast.rng.random() < 0.5:
            ballots.enter_paper(cast.worker, entry, choices, sheet=f"{entry.pk:05d}", now=moment)
            ballots.enter_paper(cast.secretary, entry, choices, sheet=f"{entry.pk:05d}", now=moment)
        else:
            ballots.record_in_person(cast.worker, entry, choices, now=moment)
    return vote


def _pick(rng: random.Random, shares: tuple[float, float, float]) -> str:
    draw = rng.random()
    return AGREE if draw < shares[0] else OPPOSE if draw < shares[0] + shares[1] else ABSTAIN


def build_votes(cast: Cast, estates: tuple[Place, Place, Place]) -> dict[str, Vote]:
    home, other, developer = estates
    rng, now = cast.rng, cast.now

    def passing(entry: RollEntry, qids: list[str]) -> dict[str, str] | None:
        return None if rng.random() < 0.2 else {q: _pick(rng, (0.72, 0.2, 0.08)) for q in qids}

    def failing_on_area(entry: RollEntry, qids: list[str]) -> dict[str, str] | None:
        if entry.owner_key.startswith("o:") and DEVELOPER in entry.owner_key:
            return {q: OPPOSE for q in qids}
        return None if rng.random() < 0.12 else {q: _pick(rng, (0.93, 0.05, 0.02)) for q in qids}

    def so_far(entry: RollEntry, qids: list[str]) -> dict[str, str] | None:
        return None if rng.random() < 0.6 else {q: _pick(rng, (0.8, 0.15, 0.05)) for q in qids}

    passed = _hold_vote(
        cast,
        other,
        f"{other.name}关于续聘物业服务企业的业主表决",
        "业主委员会提议续聘现物业服务企业三年，物业费标准不变。",
        [("是否同意续聘现物业服务企业，合同期三年？", QuestionKind.ORDINARY)],
        now - 40 * DAY,
        now - 26 * DAY,
        passing,
    )
    failed = _hold_vote(
        cast,
        developer,
        f"{developer.name}关于使用专项维修资金更换电梯的业主表决",
        "3号楼、5号楼电梯使用已满15年，拟使用专项维修资金更换，预算约96万元。",
        [("是否同意使用专项维修资金更换3号楼、5号楼电梯？", QuestionKind.MAJOR)],
        now - 20 * DAY,
        now - 6 * DAY,
        failing_on_area,
    )
    open_vote = _hold_vote(
        cast,
        home,
        f"{home.name}关于增设电动自行车集中充电设施的业主表决",
        "拟在小区东侧空地增设电动自行车集中充电棚（40个充电位），占用共有部分约60平方米。",
        [
            ("是否同意在小区东侧空地增设电动自行车集中充电棚？", QuestionKind.MAJOR),
            ("是否同意充电收费标准为每度电0.8元（含服务费）？", QuestionKind.ORDINARY),
        ],
        now - 3 * DAY,
        now + 11 * DAY,
        so_far,
    )
    return {"passed": passed, "failed": failed, "open": open_vote}


def _paper_dispute(cast: Cast, vote: Vote) -> None:
    """One paper ballot of the open vote whose two entries differ: waiting for a third look on the desk."""
    waiting = RollEntry.objects.filter(vote=vote, voted_channel="").exclude(
        owners__person__phone_digest=cast.resident.phone_digest
    )
    entry = waiting.order_by("pk").first()
    if entry is None:
        return
    qids = [str(pk) for pk in vote.questions.order_by("position").values_list("pk", flat=True)]
    ballots.enter_paper(cast.worker, entry, dict.fromkeys(qids, AGREE), sheet="DEMO-1")
    ballots.enter_paper(cast.secretary, entry, {**dict.fromkeys(qids, AGREE), qids[-1]: OPPOSE}, sheet="DEMO-1")


def _close(cast: Cast, vote: Vote) -> None:
    votes.close_vote(cast.worker, vote, now=vote.closes_at + datetime.timedelta(minutes=1))


def _topic(cast: Cast, actor: User, place: Place, title: str, body: str) -> Topic:
    return raise_topic(actor, place=place, title=title, body=body)


def build_topics(cast: Cast, estates: tuple[Place, Place, Place], held: dict[str, Vote]) -> dict[str, Topic]:
    home, other, _developer = estates
    worker, resident = cast.worker, cast.resident
    made: dict[str, Topic] = {}

    made["raised"] = _topic(
        cast,
        resident,
        home,
        "楼道堆放杂物存在消防隐患",
        "2号楼各单元楼道长期堆放纸箱和旧家具，影响通行，希望社区组织一次清理。",
    )

    t = _topic(
        cast, resident, home, "小区能否增设休闲座椅", "小区中心花园只有两张长椅，老人散步后没地方休息，建议再增加几张。"
    )
    open_discussion(worker, t)
    first = comment(resident, t, "支持！最好放在树荫下，夏天也能坐。")
    comment(worker, t, "社区会请物业先测量位置，大家可以继续提建议。", parent=first)
    rude = comment(cast.grid, t, "物业什么都不管，全是摆设！")
    hide_comment(worker, rude, "含有针对个人的攻击性言论")
    made["discussing"] = t

    t = _topic(
        cast,
        worker,
        cast.community,
        "社区老年餐桌延长供餐时间",
        "多位老人反映老年餐桌11:30就停止供餐，希望延长到12:30。",
    )
    open_discussion(worker, t)
    comment(resident, t, "我母亲每天去吃，赞成延长。")
    draft_proposal(worker, t, "老年餐桌供餐时间调整为11:00—12:30，增加一名志愿者协助。")
    made["proposed"] = t

    t = _topic(cast, resident, home, "增设电动自行车集中充电设施", "楼道里飞线充电太危险，建议在小区空地建集中充电棚。")
    open_discussion(worker, t)
    draft_proposal(worker, t, "在小区东侧空地增设电动自行车集中充电棚，提交业主表决。")
    put_to_vote(worker, t, held["open"])
    made["deciding"] = t

    t = _topic(cast, worker, other, "是否续聘现物业服务企业", "现物业合同年底到期，业主委员会建议续聘三年。")
    open_discussion(worker, t)
    draft_proposal(worker, t, "续聘现物业服务企业，合同期三年，物业费标准不变，提交业主大会表决。")
    put_to_vote(worker, t, held["passed"])
    made["decided_by_vote"] = t

    t = _topic(cast, resident, home, "修补小区东门破损路面", "东门进门处路面坑洼，雨天积水，老人推车不便。")
    open_discussion(worker, t)
    draft_proposal(worker, t, "由社区报修，请责任单位修补东门路面并疏通雨水口。")
    meeting = schedule_meeting(
        worker,
        t,
        kind=MeetingKind.OFFLINE,
        starts_at=cast.now - 2 * DAY,
        location="社区居委会二楼议事厅",
        invitees=[
            {"user": resident, "name": "", "capacity": "居民代表"},
            {"user": None, "name": "物业项目经理", "capacity": "物业"},
            {"user": None, "name": "业委会主任", "capacity": "业委会"},
        ],
    )
    record_attendance(worker, meeting, {a.pk: True for a in meeting.attendees.all()})
    record_minutes(worker, meeting, text_="与会各方同意由社区上报路面修补，物业配合临时围挡。", document=None)
    decide_by_committee(
        worker, t, DecisionOutcome.ADOPTED, "同意修补东门路面，由社区立案派单。", "议事会全票通过。", meeting=meeting
    )
    publish_result(worker, t)
    open_follow_up_case(worker, t, "多福巷社区议事会决定：修补小区东门进门处破损路面并疏通雨水口。", place=home)
    made["following_up"] = t

    t = _topic(cast, worker, cast.community, "社区文化活动室开放时间", "居民希望周末也能使用文化活动室。")
    open_discussion(worker, t)
    draft_proposal(worker, t, "文化活动室周六、周日9:00—17:00开放，由志愿者值守。")
    decide_by_committee(worker, t, DecisionOutcome.ADOPTED, "自下月起周末开放文化活动室。", "居委会会议通过。")
    publish_result(worker, t)
    mark_done(worker, t)
    made["done"] = t

    t = _topic(cast, resident, home, "要求社区为私家车免费划固定车位", "希望给每户划一个免费固定车位。")
    reject_topic(
        worker, t, "小区道路属全体业主共有，车位划分须经业主大会决定，社区不能代为决定，已建议业委会征集意见。"
    )
    made["rejected"] = t
    return made


def build(seed: int = 20261123) -> Summary | None:
    """Once: None when votes or topics already exist, or the demo city or registry is missing."""
    if Vote.objects.exists() or Topic.objects.exists():
        return None
    cast = _cast(seed)
    if cast is None:
        return None
    estates = _estates(cast)
    if estates is None:
        return None
    with transaction.atomic():
        held = build_votes(cast, estates)
        topics = build_topics(cast, estates, held)
        _close(cast, held["passed"])
        _close(cast, held["failed"])
        _paper_dispute(cast, held["open"])
    summary = Summary()
    for name, vote in held.items():
        vote.refresh_from_db()
        outcome = (
            "open"
            if vote.state == VoteState.OPEN
            else ", ".join(
                f"{'passed' if o['passed'] else 'failed'}" for o in (vote.result or {}).get("outcome", {}).values()
            )
        )
        summary.votes[name] = f"{vote.title}: {vote.roll_owners} owners, {vote.ballots.count()} ballots, {outcome}"
    for name, topic in topics.items():
        topic.refresh_from_db()
        summary.topics[name] = topic.pk
    return summary
