"""The demo's project packages and open calls (issue 20, item 8): in the demo community (where the demo staff
work and the demo resident lives) one project in every state — a draft, an open call (揭榜) with claims
from the demo's service providers and volunteer, one assigned (组织委派), one whose claimant was chosen, one
in progress with progress reports, one reported done and rated by the resident, one closed with its rating,
one cancelled — and, on a larger registry, further rounds in other communities with a population.

Everything goes through linli.projects.actions, so each project has its timeline, audit events and notices.
The two other service providers get an account each (no password: they act in the history, as the
history's own staff do). Idempotent: nothing happens once any project exists.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
from linli.accounts.predicates import can_rate_project
from linli.orgs.choices import UnitKind
from linli.orgs.models import Unit
from linli.places.choices import PlaceLevel

from . import actions
from .models import Project

# title, goal, need, budget (yuan), resources
PROJECTS: list[tuple[str, str, str, int, list[str]]] = [
    (
        "楼道加装扶手",
        "为老旧楼房5个单元楼道加装不锈钢扶手，方便高龄老人上下楼。",
        "居民议事会提出：多位老人反映上下楼吃力，曾有老人在楼梯摔倒。",
        18000,
        ["焊工", "不锈钢管", "施工期间楼道通行引导志愿者"],
    ),
    (
        "胡同口袋公园微更新",
        "把胡同拐角闲置空地改造成带座椅和花池的口袋公园。",
        "空地长期堆放杂物，居民希望有个歇脚、聊天的地方。",
        60000,
        ["景观设计", "绿植", "居民共建志愿者"],
    ),
    ("独居老人智能呼叫设备安装", "为辖区独居老人安装一键呼叫设备并培训使用。", "", 25000, ["设备供应", "上门安装"]),
    (
        "社区儿童四点半课堂",
        "放学后为双职工家庭孩子提供作业辅导和兴趣课程，每周四天。",
        "家长反映放学后无人看护，孩子只能在楼道玩耍。",
        30000,
        ["教师志愿者", "活动室"],
    ),
    (
        "电动自行车充电棚建设",
        "在小区东侧空地建设40个充电位的集中充电棚。",
        "楼道飞线充电隐患突出。",
        80000,
        ["施工", "电力接入"],
    ),
    ("老旧小区无障碍坡道改造", "为3个单元出入口加建无障碍坡道。", "轮椅和婴儿车出入困难。", 42000, ["施工", "设计"]),
    ("社区垃圾分类驿站升级", "更换分类投放点的桶站，增设洗手池和照明。", "", 22000, ["设备采购", "志愿者值守"]),
    (
        "邻里互助食堂",
        "利用社区闲置用房开办老年餐桌，提供午餐。",
        "高龄老人做饭不便。",
        90000,
        ["餐饮服务商", "场地改造"],
    ),
]
PROPOSALS = (
    "我们有同类项目经验，计划分三期完成，每期结束后请居民代表验收。",
    "组织专业团队和社区志愿者共同实施，材料按市场价采购并公示。",
    "先开居民议事会征求意见，再按意见修改方案后施工，全程拍照留档。",
)
REPORTS = (
    "已完成现场勘查和居民意见征集，方案经居民代表确认。",
    "材料已进场，完成约一半工作量，施工期间安排志愿者引导通行。",
    "主体工作完成，正在收尾和清理现场。",
)
# The states a round makes, in order; "done" and "closed" are rated by the demo resident where she lives.
STATES = ("draft", "published", "assigned", "chosen", "in_progress", "done", "closed", "cancelled")


@dataclass
class Summary:
    projects: dict[str, int] = field(default_factory=dict)


def _claimants(admin: User) -> list[tuple[User, str]]:
    """(account, organisation) of those who claim and carry out projects."""
    found: list[tuple[User, str]] = []
    for unit in Unit.objects.filter(kind=UnitKind.SERVICE_PROVIDER, is_active=True).order_by("code")[:3]:
        grant = Grant.objects.active().filter(role=Role.SERVICE_PROVIDER, unit=unit).select_related("user").first()
        user = grant.user if grant is not None else None
        if user is None:
            user = create_user(
                admin,
                username=f"provider-{unit.code.lower()}",
                role=Role.SERVICE_PROVIDER,
                display_name=f"{unit.name}项目负责人",
                units=[unit],
            )
        found.append((user, unit.name))
    volunteer = User.objects.filter(username="volunteer").first()
    if volunteer is not None:
        found.append((volunteer, "多福巷志愿服务队"))
    return found


def _round(
    rng: random.Random,
    staff: User,
    community: Any,
    claimants: list[tuple[User, str]],
    rater: User | None,
    templates: list[tuple[str, str, str, int, list[str]]],
) -> dict[str, Project]:
    today = timezone.localdate()
    made: dict[str, Project] = {}
    for state, (title, goal, need, budget, resources) in zip(STATES, templates, strict=False):
        project = actions.create_project(
            staff,
            title=title,
            goal=goal,
            need=need,
            place=community,
            deadline=today + datetime.timedelta(days=rng.randint(30, 150)),
            budget=Decimal(budget),
            resources=resources,
        )
        made[state] = project
        if state == "draft":
            continue
        if state == "cancelled":
            actions.publish_call(staff, project)
            actions.cancel(staff, project, reason="街道已将该事项纳入老旧小区综合整治统一实施，本项目不再单独开展。")
            continue
        if state in ("published", "chosen"):
            actions.publish_call(staff, project)
            claims = []
            for user, organisation in rng.sample(claimants, k=min(len(claimants), rng.randint(2, 3))):
                claims.append(
                    actions.submit_claim(
                        user,
                        project,
                        organisation=organisation,
                        proposal=rng.choice(PROPOSALS),
                        requested_budget=Decimal(budget) * Decimal(rng.choice((80, 90, 95, 100))) / 100,
                    )
                )
            if state == "chosen":
                actions.choose_claim(staff, rng.choice(claims))
            continue
        user, organisation = rng.choice(claimants)
        actions.assign_project(staff, project, user, organisation)
        if state == "assigned":
            continue
        actions.start(user, project)
        for text in REPORTS[: rng.randint(1, 3)]:
            actions.report_progress(user, project, text=text)
        if state == "in_progress":
            continue
        actions.report_done(user, project, text="项目已全部完成，现场已清理，请社区和居民验收评价。")
        if rater is not None and can_rate_project(rater, project):  # with --persons 0 she has no home here
            actions.rate(rater, project, score=rng.choice((4, 5, 5)), comment="效果很好，感谢施工队和志愿者！")
        if state == "closed":
            actions.close(staff, project)
    return made


def build(seed: int = 20261123, rounds: int = 1) -> Summary | None:
    """Once: None when projects exist already or the demo accounts are missing. `rounds` beyond the first go
    to other communities whose community worker runs them (without a rating: no demo resident lives there)."""
    if Project.objects.exists():
        return None
    admin = User.objects.filter(username="admin").first()
    staff = User.objects.filter(username="community").first()
    grant = Grant.objects.active().filter(user=staff, place__level=PlaceLevel.COMMUNITY).select_related("place").first()
    if admin is None or staff is None or grant is None or grant.place is None:
        return None
    rng = random.Random(f"projects:{seed}")
    summary = Summary()
    with transaction.atomic():
        claimants = _claimants(admin)
        if not claimants:
            return None
        rater = User.objects.filter(username="resident").first()
        made = _round(rng, staff, grant.place, claimants, rater, rng.sample(PROJECTS, k=len(STATES)))
        summary.projects = {state: p.pk for state, p in made.items()}
        others = (
            Grant.objects.active()
            .filter(role=Role.COMMUNITY_WORKER, place__level=PlaceLevel.COMMUNITY)
            .exclude(place=grant.place)
            .select_related("user", "place")
            .order_by("place__code")
        )
        for other in others[: max(0, rounds - 1)]:
            _round(rng, other.user, other.place, claimants, None, rng.sample(PROJECTS, k=len(STATES)))
    return summary
