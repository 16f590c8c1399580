"""Care tags, visits, party records and consents for the demo population (linli.people.demo).

About one resident in twenty carries a care tag in force, as a community's list would show: 高龄 for most
people of 80 and over (from the civil affairs allowance list), 独居 for many older people living alone,
空巢 for some elderly couples, 残疾, 低保 (the head of the household), 困境儿童, 大病 and 重点关注 for a few;
some tags have ended. Each tagged person with a visit rule has the visits the grid and community staff made
over the last half year, at the rule's interval; most are up to date, some have fallen behind (the overdue
lists have people on them) and a few were never visited. The visit clock is the registry's own rule
(actions.care.visit_clock), so a later visit logged through the action continues it seamlessly.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
from linli.core.demo import short_name
from linli.places.models import Place

from .actions.care import rule_days, visit_clock
from .choices import CareTagKind, ConsentChannel, ConsentPurpose, Relation, TagSource, VisitOutcome
from .models import CareTag, CareVisit, Consent, PartyMembership

if TYPE_CHECKING:
    from .demo_settle import Resident, Town

T = CareTagKind
HISTORY_DAYS = 180
DISABILITIES = ("肢体", "视力", "听力", "言语", "智力", "精神")
GRADES = ("一级", "二级", "三级", "四级")
ILLNESSES = ("尿毒症，每周透析三次", "恶性肿瘤，术后治疗中", "脑梗后遗症，行动不便", "重度糖尿病并发症")
CHILD_NOTES = ("父母一方服刑，由祖父母抚养", "父母重病，家庭困难", "事实无人抚养儿童")
CONCERNS = ("家庭矛盾较多，需定期了解情况", "独自照顾患病家属，压力较大", "近期失业，情绪低落")
VISIT_NOTES = {
    VisitOutcome.WELL: ("身体状况良好，叮嘱注意保暖。", "精神不错，家中整洁。", "询问近况，无特殊需求。",
                        "测量血压正常，提醒按时服药。", "协助预约社区医生上门。", ""),
    VisitOutcome.NEEDS_ATTENTION: ("近期腿脚不便，需协调助餐服务。", "家中燃气灶老旧，建议更换。",
                                   "情绪低落，下周再来看望。", "药快吃完了，联系家属代购。"),
    VisitOutcome.REPORTED: ("楼道灯坏了，已提交诉求。", "屋顶漏水，已报物业维修。"),
    VisitOutcome.NOT_MET: ("敲门无人应答，电话联系说在子女家。", "外出就医，改日再访。"),
}  # fmt: skip
EMPLOYERS = (
    "东城区教育委员会机关党委", "北京市东城区人民医院党委", "国网北京市电力公司东城供电公司党委", "中国工商银行北京分行党委",
    "北京市第二中学党委", "东城区卫生健康委员会机关党委", "北京同仁堂股份有限公司党委", "中国邮政集团北京市分公司党委",
    "北京市公安局东城分局党委", "东城区城市管理委员会机关党委", "北京王府井百货集团党委", "北京首都开发控股集团党委",
)  # fmt: skip


class Care:
    def __init__(self, town: Town, rng: random.Random, today: datetime.date) -> None:
        self.town, self.rng, self.today = town, rng, today
        self.rules = rule_days()
        self.zone = timezone.get_default_timezone()
        self.tags: dict[int, list[CareTag]] = {}
        self.visitor: dict[int, int] = {}  # community or grid → staff user id

    def run(self) -> None:
        current = [r for r in self.town.residents if r.person.left_on is None]
        self._staff({r.community for r in current})
        for resident in current:
            self._tag(resident)
        for resident in current:
            if resident.person.pk in self.tags:
                self._visits(resident)
            self._party(resident)
            self._consents(resident)

    # ----------------------------------------------------------------------------------------------

    def _staff(self, communities: set[int]) -> None:
        """Who visits: the grid's grid worker, else a worker of the community (made as the history's cast
        makes one, so the history later finds the same person)."""
        roles = [Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY]
        grants = Grant.objects.active().filter(role__in=roles, user__is_active=True).order_by("-role", "user_id")
        for place_id, user_id in grants.values_list("place_id", "user_id"):
            if place_id is not None:
                self.visitor.setdefault(place_id, user_id)
        for community in Place.objects.filter(pk__in=communities - set(self.visitor)).order_by("code"):
            username = f"worker-{community.code}"
            user = User.objects.filter(username=username).first() or create_user(
                None,
                username=username,
                role=Role.COMMUNITY_WORKER,
                display_name=f"{community.name}社区工作者",
                places=[community],
            )
            self.visitor[community.pk] = user.pk

    def _visitor(self, resident: Resident) -> int | None:
        return self.visitor.get(resident.grid or -1) or self.visitor.get(resident.community)

    def _day(self, low: datetime.date, high: datetime.date) -> datetime.date:
        span = (high - low).days
        return low + datetime.timedelta(days=self.rng.randint(0, max(0, span)))

    def _add(self, resident: Resident, tag: str, source: str, note: str, since: datetime.date) -> None:
        person = resident.person
        start = max(since, person.arrived_on or since)
        if start > self.today:
            return
        end = None
        if tag in (T.SUBSISTENCE, T.SERIOUS_ILLNESS, T.KEY_CONCERN) and self.rng.random() < 0.1:
            end = self._day(start, self.today - datetime.timedelta(days=1))  # no longer in force
            if end < start:
                end = None
        care_tag = CareTag(
            pk=self.town.allocate(CareTag),
            person_id=person.pk,
            tag=tag,
            source=source,
            source_note=note,
            valid_from=start,
            valid_to=end,
            recorded_by_id=self._visitor(resident),
        )
        self.tags.setdefault(person.pk, []).append(care_tag)
        self.town.rows[CareTag].append(care_tag)

    def _tag(self, resident: Resident) -> None:
        rng, member, person = self.rng, resident.member, resident.person
        birth = person.birth_date
        assert birth is not None
        age, members = member.age, resident.family.members
        years_ago = self.today - datetime.timedelta(days=6 * 365)
        since = self._day(years_ago, self.today - datetime.timedelta(days=20))
        if age >= 80 and rng.random() < 0.55:
            eightieth = birth.replace(year=birth.year + 80, day=min(birth.day, 28))
            start = (
                eightieth if eightieth > datetime.date(2016, 1, 1) else self._day(datetime.date(2016, 1, 1), years_ago)
            )
            self._add(resident, T.ADVANCED_AGE, TagSource.CIVIL_AFFAIRS, "区民政局高龄津贴名册", start)
        if age >= 60 and len(members) == 1 and rng.random() < 0.45:
            source = rng.choice((TagSource.HOME_VISIT, TagSource.COMMUNITY_ASSESSMENT))
            self._add(resident, T.LIVING_ALONE_ELDERLY, source, "入户走访核实独居", since)
        if len(members) == 2 and all(m.age >= 60 for m in members) and rng.random() < 0.08:
            self._add(resident, T.EMPTY_NEST, TagSource.COMMUNITY_ASSESSMENT, "子女在外地工作", since)
        if rng.random() < (0.012 if age >= 60 else 0.004):
            note = f"残疾人证：{rng.choice(DISABILITIES)}{rng.choice(GRADES)}"
            self._add(resident, T.DISABLED, TagSource.DISABLED_FEDERATION, note, since)
        if member.relation == Relation.HEAD and rng.random() < 0.006:
            self._add(resident, T.SUBSISTENCE, TagSource.CIVIL_AFFAIRS, "城市最低生活保障家庭", since)
        if age < 18 and rng.random() < 0.005:
            self._add(resident, T.CHILD_IN_DIFFICULTY, TagSource.CIVIL_AFFAIRS, rng.choice(CHILD_NOTES), since)
        if age >= 40 and rng.random() < 0.003:
            self._add(resident, T.SERIOUS_ILLNESS, TagSource.SELF_DECLARED, rng.choice(ILLNESSES), since)
        if age >= 18 and rng.random() < 0.001:
            self._add(resident, T.KEY_CONCERN, TagSource.COMMUNITY_ASSESSMENT, rng.choice(CONCERNS), since)

    def _visits(self, resident: Resident) -> None:
        """Visits back from the last one at about the rule's interval; the last one is recent for most,
        overdue for some, missing for a few; then the clock, by the registry's rule."""
        rng, person = self.rng, resident.person
        tags = self.tags[person.pk]
        every, _due = visit_clock(person, tags, self.rules, self.today)
        if every is None:
            return
        start = min(t.valid_from for t in tags if t.in_force(self.today))
        draw = rng.random()
        if draw < 0.82:
            # Up to yesterday: a visit today at a working hour could still lie ahead.
            last: datetime.date | None = self.today - datetime.timedelta(days=rng.randint(1, max(1, every - 1)))
        elif draw < 0.97:
            last = self.today - datetime.timedelta(days=every + rng.randint(1, max(3, every)))
        else:
            last = None
        days: list[datetime.date] = []
        floor = max(start, self.today - datetime.timedelta(days=HISTORY_DAYS))
        while last is not None and last >= floor:
            days.append(last)
            last -= datetime.timedelta(days=max(1, round(every * rng.uniform(0.75, 1.1))))
        due = start + datetime.timedelta(days=every)
        visitor = self._visitor(resident)
        moment = None
        for day in reversed(days):
            moment = datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), rng.randrange(60)), self.zone)
            outcome = rng.choices(list(VISIT_NOTES), (86, 8, 1, 5))[0]
            self.town.rows[CareVisit].append(
                CareVisit(
                    pk=self.town.allocate(CareVisit),
                    person_id=person.pk,
                    visitor_id=visitor,
                    visited_at=moment,
                    outcome=outcome,
                    note=rng.choice(VISIT_NOTES[outcome]),
                    was_due=due,
                    created_at=moment,
                )
            )
            due = day + datetime.timedelta(days=every)
        person.last_visited_at = moment
        person.visit_every_days, person.next_visit_due = visit_clock(person, tags, self.rules, self.today)

    def _party(self, resident: Resident) -> None:
        rng, age, person = self.rng, resident.member.age, resident.person
        if age < 18 or rng.random() >= (0.04 if age < 36 else 0.08 if age < 60 else 0.12):
            return
        assert person.birth_date is not None
        joined = person.birth_date + datetime.timedelta(days=365 * rng.randint(19, 35))
        in_service = age < 60
        community = resident.community
        organisation = (
            rng.choice(EMPLOYERS)
            if in_service
            else f"{short_name(self.town.place_names.get(community, ''))}社区退休党员党支部"
        )
        reported = in_service and rng.random() < 0.7  # 双报到: in-service members report where they live
        self.town.rows[PartyMembership].append(
            PartyMembership(
                pk=self.town.allocate(PartyMembership),
                person_id=person.pk,
                organisation=organisation,
                joined_party_on=min(joined, self.today),
                reported_to_id=community if reported else None,
                reported_on=self._day(datetime.date(2020, 1, 1), self.today) if reported else None,
            )
        )

    def _consents(self, resident: Resident) -> None:
        rng, person = self.rng, resident.person
        if resident.member.age < 18:
            return  # a minor's data is consented to by the guardian, recorded on the guardian
        arrived = person.arrived_on or self.today
        recorder = self._visitor(resident)
        purposes = [ConsentPurpose.REGISTRY]
        if person.pk in self.tags:
            purposes.append(ConsentPurpose.CARE)
        if person.phone and rng.random() < 0.25:
            purposes.append(ConsentPurpose.CONTACT)
        if resident.member.relation == Relation.HEAD and not resident.family.renting and rng.random() < 0.3:
            purposes.append(ConsentPurpose.OWNERS_VOTING)
        for purpose in purposes:
            channel = rng.choices(list(ConsentChannel), (65, 20, 15))[0]
            self.town.rows[Consent].append(
                Consent(
                    pk=self.town.allocate(Consent),
                    person_id=person.pk,
                    purpose=purpose,
                    channel=channel,
                    given_on=self._day(max(arrived, self.today - datetime.timedelta(days=3 * 365)), self.today),
                    recorded_by_id=recorder if channel != ConsentChannel.ONLINE else None,
                )
            )
