"""The demo population's houses, households and people, made in memory (linli.people.demo writes them):
which houses are lived in, let, empty or shops, who owns them, who lives there and how they are reached.
Why no identity number or phone made here can be a real person's: linli.people.demo_names."""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Max

from linli.core.crypto import digest
from linli.places.choices import PlaceLevel
from linli.places.models import SEGMENT_WIDTH, Place

from .choices import Gender, HouseholdKind, HouseUse, IdType, Relation
from .demo_families import Family, Member, born, owner_family, renter_family, resident_family, surname_for
from .demo_names import Identities
from .models import (
    CareTag,
    CareVisit,
    Consent,
    House,
    Household,
    HouseholdMember,
    Ownership,
    PartyMembership,
    Person,
    Tenancy,
)

DEMO_RESIDENT_PHONE = "13800000001"  # the demo city's resident account (linli.core.demo._accounts)
DEVELOPER = "北京东华房地产开发有限公司"
SHOPS = ("北京东城便民超市有限公司", "北京京味早点餐饮有限公司", "北京邻家生鲜便利店", "东城区快递驿站服务部")
HOUSE_NAME_RE = re.compile(r"^(\d+)(\d\d)")
MODELS = (House, Person, Household, HouseholdMember, Ownership, Tenancy, CareTag, CareVisit, PartyMembership, Consent)


@dataclass
class Resident:
    """A generated person and what the care and party records need to know of them."""

    person: Person
    member: Member
    household: int
    community: int
    grid: int | None
    family: Family


@dataclass
class Home:
    place_id: int
    name: str
    community: int
    grid: int | None
    estate: int | None


def _ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path), SEGMENT_WIDTH)]


class Town:
    """The population being made, in memory until it is written."""

    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng, self.today = rng, today
        self.names = Identities(rng)
        self.rows: dict[type[models.Model], list[Any]] = {model: [] for model in MODELS}
        self._next: dict[type[models.Model], int] = {}
        self.residents: list[Resident] = []
        self.absent_owners: list[tuple[int, Decimal, datetime.date]] = []  # (house, area, since): owner elsewhere
        self.community_phones: dict[int, list[str]] = {}
        self.place_names: dict[int, str] = {}
        self.developer_estate: int | None = None
        self.resident_placed = False
        self.count = self.wanted = 0

    def allocate(self, model: type[models.Model]) -> int:
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self._next[model] += 1
        return self._next[model] - 1

    def homes(self) -> list[list[Home]]:
        """The active houses grouped by community, communities in code order."""
        above = {
            pk: (level, code, name)
            for pk, level, code, name in Place.objects.filter(
                level__in=[PlaceLevel.COMMUNITY, PlaceLevel.GRID, PlaceLevel.ESTATE]
            ).values_list("pk", "level", "code", "name")
        }
        self.place_names = {pk: name for pk, (_level, _code, name) in above.items()}
        by_community: dict[int, list[Home]] = {}
        houses = Place.objects.filter(level=PlaceLevel.HOUSE, is_active=True).order_by("path")
        for pk, path, name in houses.values_list("pk", "path", "name").iterator(chunk_size=5000):
            levels = {above[i][0]: i for i in _ids(path) if i in above}
            community = levels.get(PlaceLevel.COMMUNITY)
            if community is not None:
                home = Home(pk, name, community, levels.get(PlaceLevel.GRID), levels.get(PlaceLevel.ESTATE))
                by_community.setdefault(community, []).append(home)
        return [by_community[c] for c in sorted(by_community, key=lambda c: above[c][1])]

    def settle(self, count: int) -> int:
        """Fill communities until `count` people live in them; returns how many communities were filled."""
        self.wanted = count
        filled = 0
        for homes in self.homes():
            if self.count >= count:
                break
            filled += 1
            estates = sorted({h.estate for h in homes if h.estate is not None})
            if self.developer_estate is None and len(estates) > 1:
                self.developer_estate = estates[-1]  # a newer estate, still partly unsold
            for home in homes:
                if self.count >= count:
                    break
                self.house(home)
        self.owners_elsewhere()
        return filled

    # ----------------------------------------------------------------------------------------------
    # houses and their owners

    def house(self, home: Home) -> None:
        rng = self.rng
        match = HOUSE_NAME_RE.match(home.name)
        ground = match is not None and match.group(1) == "1"
        area = Decimal(str(round(rng.triangular(30, 150, 62), 2)))
        draw = rng.random()
        if not self.resident_placed:
            use, family = HouseUse.OWNER_OCCUPIED, resident_family(rng)
            self.resident_placed = True
        elif home.estate == self.developer_estate and draw < 0.3:
            self.rows[House].append(House(place_id=home.place_id, area=area, use=HouseUse.VACANT))
            self.own(home.place_id, None, Decimal(1), area, datetime.date(2019, 6, 30), organisation=DEVELOPER)
            return
        elif ground and draw < 0.08:
            self.rows[House].append(House(place_id=home.place_id, area=area, use=HouseUse.COMMERCIAL))
            since = self.today - datetime.timedelta(days=rng.randint(200, 6000))
            if rng.random() < 0.6:
                self.own(home.place_id, None, Decimal(1), area, since, organisation=rng.choice(SHOPS))
            else:
                self.absent_owners.append((home.place_id, area, since))
            return
        elif draw < 0.05:
            self.rows[House].append(House(place_id=home.place_id, area=area, use=HouseUse.VACANT))
            self.absent_owners.append(
                (home.place_id, area, self.today - datetime.timedelta(days=rng.randint(90, 9000)))
            )
            return
        elif draw < 0.27:
            use, family = HouseUse.RENTED, renter_family(rng)
        else:
            use, family = HouseUse.OWNER_OCCUPIED, owner_family(rng)
        family.members = family.members[: max(1, self.wanted - self.count)]  # the last family makes it exact
        self.rows[House].append(House(place_id=home.place_id, area=area, use=use))
        self.household(home, family, area)

    def own(
        self,
        house: int,
        person: Person | None,
        share: Decimal,
        area: Decimal,
        since: datetime.date,
        organisation: str = "",
    ) -> None:
        year = since.year
        seq = self.rng.randrange(1, 10**6)
        certificate = f"京({year})东城区不动产权第{seq:07d}号" if year >= 2015 else f"京房权证东字第{seq:06d}号"
        self.rows[Ownership].append(
            Ownership(
                pk=self.allocate(Ownership),
                house_id=house,
                person=person,
                organisation=organisation,
                share=share,
                area=(area * share).quantize(Decimal("0.01")),
                certificate=certificate,
                since=since,
            )
        )

    def owners_elsewhere(self) -> None:
        """Houses rented out, vacant or let as shops belong to people living elsewhere in the demo (some own
        two or three): middle-aged and older heads of owner households."""
        pool = [
            r.person
            for r in self.residents
            if r.member.relation == Relation.HEAD and not r.family.renting and 35 <= r.member.age <= 85
        ] or [r.person for r in self.residents if r.member.age >= 18]
        if not pool:
            return
        for house, area, since in self.absent_owners:
            self.own(house, self.rng.choice(pool), Decimal(1), area, since)

    # ----------------------------------------------------------------------------------------------
    # households and people

    def household(self, home: Home, family: Family, area: Decimal) -> None:
        rng = self.rng
        household = Household(
            pk=self.allocate(Household),
            kind=HouseholdKind.FAMILY,
            house_id=home.place_id,
        )
        household.number = f"{household.pk:09d}"
        years = min(m.age for m in family.members if m.relation in (Relation.HEAD, Relation.SPOUSE)) - 18
        moved_in = (
            self.today - datetime.timedelta(days=rng.randint(30, 6 * 365))
            if family.renting
            else self.today - datetime.timedelta(days=rng.randint(180, max(181, min(years, 45) * 365)))
        )
        household.formed_on = moved_in
        self.rows[Household].append(household)
        people = self.people(home, family, moved_in)
        for person, member in people:
            self.rows[HouseholdMember].append(
                HouseholdMember(
                    pk=self.allocate(HouseholdMember),
                    household_id=household.pk,
                    person_id=person.pk,
                    relation=member.relation,
                    joined_on=person.arrived_on,
                )
            )
            self.residents.append(Resident(person, member, household.pk, home.community, home.grid, family))
        self.phones(people, home.community)
        if family.renting:
            for person, member in people:
                if member.age >= 18:
                    self.rows[Tenancy].append(
                        Tenancy(pk=self.allocate(Tenancy), house_id=home.place_id, person_id=person.pk,
                                since=person.arrived_on)
                    )  # fmt: skip
            self.absent_owners.append((home.place_id, area, moved_in - datetime.timedelta(days=rng.randint(0, 4000))))
        else:
            self.owned_by_family(home, people, area, moved_in)
        if not family.renting and rng.random() < 0.02 and self.count < self.wanted:
            self.former_member(home, household, family, people[0][0])

    def owned_by_family(
        self, home: Home, people: list[tuple[Person, Member]], area: Decimal, since: datetime.date
    ) -> None:
        head = people[0][0]
        spouse = next((p for p, m in people if m.relation == Relation.SPOUSE), None)
        child = next((p for p, m in people if m.relation == Relation.CHILD and m.age >= 25), None)
        draw = self.rng.random()
        if spouse is not None and child is not None and draw < 0.06:
            shares = [(head, "0.4"), (spouse, "0.4"), (child, "0.2")]
        elif spouse is not None and draw < 0.35:
            shares = [(head, "0.5"), (spouse, "0.5")]
        else:
            shares = [(head, "1")]
        for person, share in shares:
            self.own(home.place_id, person, Decimal(share), area, since)

    def people(self, home: Home, family: Family, moved_in: datetime.date) -> list[tuple[Person, Member]]:
        rng = self.rng
        regions = {True: self.names.home_region(True), False: self.names.home_region(False)}
        surnames: dict[str, str] = {}
        made: list[tuple[Person, Member]] = []
        ethnicity = self.names.ethnicity()
        for member in family.members:
            birth = born(rng, member.age, self.today)
            if member.overseas:
                id_type = member.overseas
                number = self.names.document(id_type)
                if id_type == IdType.PASSPORT:
                    family_name = surnames.setdefault("foreign", self.names.foreign_family())
                    name = self.names.foreign_name(member.gender, family_name)
                else:
                    name = self.names.name(member.gender, birth.year, surname_for(member, family, surnames, self.names))
                nation = "" if id_type == IdType.PASSPORT else "汉族"
            else:
                id_type = IdType.RESIDENT_ID
                number, birth = self.names.id_number(regions[member.beijing], birth, member.gender)
                name = self.names.name(member.gender, birth.year, surname_for(member, family, surnames, self.names))
                nation = ethnicity if member.relation not in (Relation.SPOUSE, Relation.CHILD_IN_LAW,
                                                              Relation.NON_RELATIVE) else self.names.ethnicity()  # fmt: skip
            if family.members[0] is member and family.demo_resident:
                name = "张" + name[1:] if not name.startswith("张") else name
            person = Person(
                pk=self.allocate(Person),
                name=name,
                id_type=id_type,
                id_number=number,
                id_digest=digest(number),
                gender=member.gender,
                birth_date=birth,
                ethnicity=nation,
                residency=member.residency,
                place_id=home.place_id,
                arrived_on=max(birth, moved_in),
            )
            self.rows[Person].append(person)
            made.append((person, member))
            self.count += 1
        if family.demo_resident:
            made[0][0].phone = DEMO_RESIDENT_PHONE
        return made

    def phones(self, people: list[tuple[Person, Member]], community: int) -> None:
        """Adults have their own mobile; children none; some elders are reached on a child's number, at
        home or living nearby (a number several people share)."""
        rng = self.rng
        pool = self.community_phones.setdefault(community, [])
        for person, member in people:
            if person.phone or member.age < 18 or member.age >= 75 or rng.random() < 0.03:
                continue
            person.phone = self.names.phone()
            if 30 <= member.age <= 60 and len(pool) < 400:
                pool.append(person.phone)
        at_home = [p.phone for p, m in people if p.phone and 18 <= m.age <= 70]
        for person, member in people:
            if member.age < 75 or person.phone:
                continue
            draw = rng.random()
            if draw < 0.55:
                person.phone = self.names.phone()
            elif at_home:
                person.phone = rng.choice(at_home)
            elif pool and draw < 0.9:
                person.phone = rng.choice(pool)
            elif draw < 0.95:
                person.phone = self.names.phone()
        for person, _member in people:
            person.phone_digest = digest(person.phone) if person.phone else None

    def former_member(self, home: Home, household: Household, family: Family, head: Person) -> None:
        """Someone who lived here and left (a grown child who moved away): kept, with the membership ended."""
        rng = self.rng
        age = rng.randint(24, 36)
        gender = Gender.MALE if rng.random() < 0.5 else Gender.FEMALE
        birth = born(rng, age, self.today)
        member = Member(Relation.CHILD, age, gender, family.head.residency, family.head.beijing)
        number, birth = self.names.id_number(self.names.home_region(member.beijing), birth, gender)
        left = self.today - datetime.timedelta(days=rng.randint(60, 4 * 365))
        arrived = max(birth, household.formed_on or birth)
        if left < arrived:
            return
        person = Person(
            pk=self.allocate(Person),
            name=self.names.name(gender, birth.year, head.name[0]),
            id_number=number,
            id_digest=digest(number),
            gender=gender,
            birth_date=birth,
            ethnicity=head.ethnicity,
            residency=member.residency,
            place_id=home.place_id,
            arrived_on=arrived,
            left_on=left,
        )
        self.rows[Person].append(person)
        self.rows[HouseholdMember].append(
            HouseholdMember(pk=self.allocate(HouseholdMember), household_id=household.pk, person_id=person.pk,
                            relation=Relation.CHILD, joined_on=arrived, left_on=left)
        )  # fmt: skip
        self.count += 1
