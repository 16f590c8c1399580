"""The demo's resource and expert library (issue 20, item 8): every street has its party and mass service
centre's rooms, equipment, a fund, resident units (驻区单位), social organisations and experts; every
community with a population has its own activity room, and the coming weeks hold some bookings.

Entries go through linli.resources.actions by district command (the library keepers over every street), a
community's room by its community worker; bookings through linli.resources.booking, each with its audit
event. Experts are people: where a street has a registered population, some are registry persons living
there; the rest are names only. Idempotent: nothing happens once any entry exists.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
from linli.core.demo import short_name
from linli.people.demo_names import GIVEN, SURNAMES
from linli.people.models import Person
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .actions import create_resource
from .booking import book_venue
from .choices import Condition, Offer, ResourceKind
from .models import Resource

# name, tags, availability notes
EXPERTS = [
    ("律师", "法律咨询,合同,婚姻家庭", "每月第二个周六上午在党群服务中心坐班"),
    ("心理咨询师", "心理疏导,青少年,老年心理", "预约制，每周三下午"),
    ("全科医生", "慢病管理,健康讲座,义诊", "社区卫生服务站出诊间隙"),
    ("规划师", "老旧小区改造,胡同微更新,公共空间", "项目评审时到场"),
    ("人民调解员", "邻里纠纷,物业纠纷,调解", "工作日白天"),
    ("退休电工", "家电维修,线路改造,用电安全", "随叫随到，周末优先"),
    ("社会工作师", "个案管理,困难帮扶,社会组织孵化", "工作日"),
    ("消防工程师", "消防安全,隐患排查,应急演练", "每季度一次入户检查"),
]
UNITS = [
    ("北京市第二中学", "学校", [Offer.VENUES, Offer.VOLUNTEERS]),
    ("东城区图书馆", "文化", [Offer.VENUES, Offer.SKILLS]),
    ("中国银行东城支行", "金融", [Offer.FUNDS, Offer.VOLUNTEERS]),
    ("北京协和医院", "医疗", [Offer.SKILLS, Offer.VOLUNTEERS]),
    ("国网北京东城供电公司", "国企", [Offer.SKILLS, Offer.VOLUNTEERS]),
    ("东城区消防救援支队", "应急", [Offer.SKILLS]),
]
ORGS = [
    ("夕阳红志愿服务队", "志愿服务,助老"),
    ("胡同文化研究会", "文化,历史,讲解"),
    ("阳光助残服务社", "助残,康复"),
    ("邻里互助社", "互助,时间银行"),
]
EQUIPMENT = [
    ("折叠桌椅", 40, "活动,会议"),
    ("便携音响", 2, "活动,文艺"),
    ("投影仪", 1, "会议,讲座"),
    ("帐篷", 6, "户外,义诊"),
]
PURPOSES = ("居民议事会", "老年合唱团排练", "党员活动日", "儿童绘本共读", "健康讲座", "书法班")


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)


def _name(rng: random.Random) -> str:
    surname = "".join(c for c in rng.choice(SURNAMES) if not c.isdigit())
    given = rng.choice([g for key, names in GIVEN.items() if key[0] in (1, 2) for g in names.split()])
    return surname + given


def _experts(rng: random.Random, street: Place, actor: User, residents: list[Person]) -> int:
    n = 0
    for title, tags, notes in rng.sample(EXPERTS, k=3):
        person = residents.pop() if residents and rng.random() < 0.6 else None
        name = person.name if person is not None else _name(rng)
        create_resource(
            actor,
            kind=ResourceKind.EXPERT,
            place=street,
            name=f"{name}（{title}）",
            description=f"{short_name(street.name)}街道专家库成员，{title}。",
            tags=tags,
            contact_name=name,
            contact_phone=f"1390000{rng.randint(1000, 9999)}",
            person=person,
            availability_days=sorted(rng.sample("0123456", k=rng.randint(1, 3))),
            availability_notes=notes,
        )
        n += 1
    return n


def _street(rng: random.Random, street: Place, actor: User, residents: list[Person]) -> list[Resource]:
    short = short_name(street.name)
    venues = [
        create_resource(
            actor,
            kind=ResourceKind.VENUE,
            place=street,
            name=f"{short}街道党群服务中心多功能厅",
            description="可容纳百人的会议和活动场地，配有音响和投影。",
            capacity=rng.choice((80, 100, 120)),
            opening_days="0123456",
            opens_at=datetime.time(8, 30),
            closes_at=datetime.time(21, 0),
            facilities="音响,投影,无障碍通道",
            tags="会议,演出,培训",
        )
    ]
    for name, quantity, tags in rng.sample(EQUIPMENT, k=2):
        create_resource(
            actor,
            kind=ResourceKind.EQUIPMENT,
            place=street,
            name=f"{short}街道{name}",
            quantity=quantity,
            condition=rng.choice((Condition.GOOD, Condition.GOOD, Condition.WORN)),
            tags=tags,
        )
    create_resource(
        actor,
        kind=ResourceKind.FUND,
        place=street,
        name=f"{short}街道社区公益金",
        amount=Decimal(rng.randint(8, 30) * 10000),
        purpose="支持居民自治项目和社区微更新",
        source="街道办事处年度预算",
        tags="微更新,自治项目",
    )
    unit, field_, offers = rng.choice(UNITS)
    create_resource(
        actor,
        kind=ResourceKind.RESIDENT_UNIT,
        place=street,
        name=f"{unit}（{short}）",
        description=f"驻区{field_}单位，参与社区共建。",
        offers=offers,
        contact_name=_name(rng),
        contact_phone=f"010-6{rng.randint(400, 599)}{rng.randint(1000, 9999)}",
        tags=field_,
    )
    org, tags = rng.choice(ORGS)
    create_resource(
        actor,
        kind=ResourceKind.SOCIAL_ORG,
        place=street,
        name=f"{short}{org}",
        registration_number=f"5211010{rng.randint(10000000, 99999999)}",
        contact_name=_name(rng),
        tags=tags,
    )
    _experts(rng, street, actor, residents)
    return venues


def _community_room(rng: random.Random, community: Place, actor: User) -> Resource:
    return create_resource(
        actor,
        kind=ResourceKind.VENUE,
        place=community,
        name=f"{short_name(community.name)}社区文化活动室",
        description="社区居民活动和议事的小型场地。",
        capacity=rng.choice((20, 30, 40)),
        opening_days="012345",
        opens_at=datetime.time(9, 0),
        closes_at=datetime.time(20, 0),
        facilities="桌椅,白板,空调",
        tags="议事,活动,培训",
    )


def _bookings(rng: random.Random, venues: list[tuple[Resource, User]]) -> int:
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    made = 0
    for venue, actor in venues:
        taken: set[tuple[datetime.date, int]] = set()
        for n in range(rng.randint(1, 3)):
            day = today + datetime.timedelta(days=2 + 3 * n + rng.randint(0, 2))
            while not venue.open_on(day):  # a closed day pushes the booking on, maybe onto the next one's slot
                day += datetime.timedelta(days=1)
            hour = rng.choice((9, 14, 16))
            if (day, hour) in taken:
                continue
            taken.add((day, hour))
            start = datetime.datetime.combine(day, datetime.time(hour), tz)
            book_venue(
                actor, venue, starts_at=start, ends_at=start + datetime.timedelta(hours=2), purpose=rng.choice(PURPOSES)
            )
            made += 1
    return made


def _staff(role: str, level: str) -> dict[int | None, User]:
    grants = Grant.objects.active().filter(role=role, place__level=level).select_related("user").order_by("pk")
    return {g.place_id: g.user for g in grants}


def _populated() -> set[int]:
    """The communities with registered residents (the demo registry fills some communities whole)."""
    communities = dict(Place.objects.filter(level=PlaceLevel.COMMUNITY).values_list("path", "pk"))
    depth = len(next(iter(communities), ""))
    homes = Person.objects.filter(left_on__isnull=True).values_list("place__path", flat=True).distinct()
    return {communities[p[:depth]] for p in homes if p[:depth] in communities}


def build(seed: int = 20261123) -> Summary | None:
    """Once: None when the library has entries already, or there is no district command account."""
    if Resource.objects.exists():
        return None
    command = Grant.objects.active().filter(role=Role.DISTRICT_COMMAND, place__level=PlaceLevel.DISTRICT).first()
    if command is None:
        return None
    rng = random.Random(f"resources:{seed}")
    workers = _staff(Role.COMMUNITY_WORKER, PlaceLevel.COMMUNITY)
    populated = _populated()
    venues: list[tuple[Resource, User]] = []
    with transaction.atomic():
        for street in Place.objects.filter(level=PlaceLevel.STREET, is_active=True).order_by("code"):
            residents = list(
                Person.objects.filter(
                    left_on__isnull=True, place__path__startswith=street.path, birth_date__year__lt=1990
                ).order_by("pk")[:40]
            )
            rng.shuffle(residents)
            venues += [(v, command.user) for v in _street(rng, street, command.user, residents)]
        communities = Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True).order_by("code")
        for community in communities:
            if community.pk in workers and (community.pk in populated or rng.random() < 0.3):
                venues.append((_community_room(rng, community, workers[community.pk]), workers[community.pk]))
        bookings = _bookings(rng, venues)
    counts = {kind.label: Resource.objects.filter(kind=kind).count() for kind in ResourceKind}
    return Summary(counts={**{str(k): v for k, v in counts.items()}, "bookings": bookings})
