"""The shape of the demo's households: how many live together, how they are related to the head, how old they
are and whether they own or rent. Tuned to look like old Dongcheng: small households (Beijing's census
average is about 2.3 people), many older people, elderly couples whose children moved out, three generations
under one roof in some homes, young migrants renting alone or sharing a flat.

Ages come from the household, not from one pyramid: a couple's children are 23 to 36 years younger than the
mother, a head's parents as much older, so that every household is believable on its own; the resulting
pyramid (many in their fifties to seventies, few children) is what test_demo_population checks.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from .choices import Gender, HouseholdKind, Relation, Residency
from .demo_names import FIRST_BIRTH_YEAR, Identities

OLDEST = 99  # born after 1926: see demo_names.FIRST_BIRTH_YEAR


@dataclass
class Member:
    relation: str
    age: int
    gender: str
    residency: str = ""
    beijing: bool = True  # registered in Beijing (a Beijing county code), else elsewhere
    overseas: str = ""  # the document type of a resident from outside the mainland


@dataclass
class Family:
    renting: bool
    members: list[Member] = field(default_factory=list)
    kind: str = HouseholdKind.FAMILY
    demo_resident: bool = False  # the demo resident account's family (resident_family)

    @property
    def head(self) -> Member:
        return self.members[0]


def _other(gender: str) -> str:
    return Gender.FEMALE if gender == Gender.MALE else Gender.MALE


def _gender(rng: random.Random) -> str:
    return Gender.MALE if rng.random() < 0.5 else Gender.FEMALE


def _age(rng: random.Random, low: int, high: int) -> int:
    """An age in the range, fewer towards the top when the range reaches old age (fewer survive)."""
    if high < 70:
        return rng.randint(low, high)
    return int(rng.triangular(low, high + 1, low))


def _couple(rng: random.Random, low: int, high: int) -> list[Member]:
    """The head and spouse; the head is the husband in most older households, either in younger ones."""
    age = _age(rng, low, high)
    head_gender = Gender.MALE if rng.random() < (0.8 if age >= 50 else 0.6) else Gender.FEMALE
    gap = rng.randint(-1, 5) * (1 if head_gender == Gender.MALE else -1)
    spouse_age = max(20, min(OLDEST, age - gap))
    return [
        Member(Relation.HEAD, age, head_gender),
        Member(Relation.SPOUSE, spouse_age, _other(head_gender)),
    ]


def _mother_age(members: list[Member]) -> int:
    women = [m.age for m in members[:2] if m.gender == Gender.FEMALE]
    return women[0] if women else members[0].age


def _children(rng: random.Random, members: list[Member], n: int, relation: str = Relation.CHILD) -> list[Member]:
    mother = _mother_age(members)
    born = sorted((mother - rng.randint(23, 36) for _ in range(n)), reverse=True)
    return [Member(relation, max(0, age), _gender(rng)) for age in born]


def _parents(rng: random.Random, head_age: int, n: int) -> list[Member]:
    base = head_age + rng.randint(24, 32)
    if base > OLDEST:
        return []
    people = [Member(Relation.PARENT, min(OLDEST, base + rng.randint(0, 3)), Gender.MALE)]
    people.append(Member(Relation.PARENT, min(OLDEST, base), Gender.FEMALE))
    # Fathers die earlier: a single surviving parent is more often the mother.
    return people[-n:] if n == 1 and rng.random() < 0.7 else people[:n]


def owner_family(rng: random.Random) -> Family:
    """A household living in a home it owns (most of them registered in Beijing)."""
    size = rng.choices((1, 2, 3, 4, 5, 6), (24, 35, 24, 10, 5, 2))[0]
    draw = rng.random()
    if size == 1:
        old = draw < 0.45
        members = [Member(Relation.HEAD, _age(rng, 60, 96) if old else rng.randint(24, 59), _gender(rng))]
        if old and rng.random() < 0.7:
            members[0].gender = Gender.FEMALE  # widows outnumber widowers
    elif size == 2:
        if draw < 0.5:
            members = _couple(rng, 60, 92)  # children moved out (空巢)
        elif draw < 0.78:
            members = _couple(rng, 24, 59)
        else:
            members = [Member(Relation.HEAD, _age(rng, 58, 92), Gender.FEMALE)]
            members += _children(rng, members, 1)
    elif size == 3:
        if draw < 0.62:
            members = _couple(rng, 30, 56)
            members += _children(rng, members, 1)
        elif draw < 0.82:
            members = _couple(rng, 44, 62)
            members += _parents(rng, members[0].age, 1) or _children(rng, members, 1)
        else:
            members = _couple(rng, 58, 82)
            members += _children(rng, members, 1)
    elif size == 4:
        members = _couple(rng, 32, 52)
        if draw < 0.5:
            members += _children(rng, members, 2)
        else:
            members += _children(rng, members, 1) + (_parents(rng, members[0].age, 1) or _children(rng, members, 1))
    else:
        if draw < 0.5:
            members = _couple(rng, 34, 50)
            members += _children(rng, members, size - 4) + _parents(rng, members[0].age, 2)
        else:  # the grandparents head the household; their child's family lives with them
            members = _couple(rng, 56, 78)
            child = _children(rng, members, 1)[0]
            in_law = Member(Relation.CHILD_IN_LAW, max(20, child.age + rng.randint(-3, 3)), _other(child.gender))
            members += [child, in_law]
            members += _children(rng, [child, in_law], size - 4, Relation.GRANDCHILD)
    members = [m for m in members if m.age >= 0]
    family = Family(renting=False, members=members)
    beijing = rng.random() < 0.86  # the rest live in a home they bought without moving their registration
    for member in members:
        member.beijing = beijing if member.relation != Relation.SPOUSE else rng.random() < (0.8 if beijing else 0.3)
        member.residency = Residency.REGISTERED if member.beijing else Residency.RESIDENT
    if members[0].age >= 75 and len(members) < 6 and rng.random() < 0.12:  # a live-in carer (保姆) from out of town
        carer = Member(Relation.NON_RELATIVE, rng.randint(40, 60), Gender.FEMALE, Residency.FLOATING, beijing=False)
        family.members.append(carer)
    return family


def renter_family(rng: random.Random) -> Family:
    """A household renting: young migrants alone, sharing a flat, or with a young family."""
    draw = rng.random()
    if draw < 0.12:  # a shared flat (合租): unrelated young people, one of them holding the lease
        n = rng.randint(2, 4)
        members = [Member(Relation.HEAD, rng.randint(21, 34), _gender(rng))]
        members += [Member(Relation.NON_RELATIVE, rng.randint(20, 34), _gender(rng)) for _ in range(n - 1)]
    else:
        size = rng.choices((1, 2, 3, 4), (38, 30, 23, 9))[0]
        if size == 1:
            members = [Member(Relation.HEAD, rng.randint(21, 45) if rng.random() < 0.85 else rng.randint(46, 70),
                              _gender(rng))]  # fmt: skip
        elif size == 2:
            members = _couple(rng, 23, 42) if rng.random() < 0.75 else _couple(rng, 43, 65)
        else:
            members = _couple(rng, 26, 45)
            members += _children(rng, members, size - 2)
            if size == 4 and rng.random() < 0.4:  # a grandparent came to look after the child
                members = members[:3] + (_parents(rng, members[0].age, 1) or members[3:])
    members = [m for m in members if m.age >= 0]
    family = Family(renting=True, members=members)
    overseas = rng.random() < 0.04
    floating = rng.random() < 0.8
    for member in members:
        member.beijing = not overseas and rng.random() < (0.08 if floating else 0.35)
        if overseas:
            member.residency = Residency.OVERSEAS
        elif member.beijing:
            member.residency = Residency.RESIDENT
        else:
            member.residency = Residency.FLOATING if floating else Residency.RESIDENT
    if overseas:
        kind = rng.choices(("passport", "hk_macao_permit", "taiwan_permit"), (5, 3, 2))[0]
        for member in members:
            member.overseas = kind
    return family


def born(rng: random.Random, age: int, today: datetime.date) -> datetime.date:
    """A birth date giving `age` today; never before FIRST_BIRTH_YEAR (see demo_names)."""
    try:
        anniversary = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        anniversary = today.replace(year=today.year - age, day=28)
    birth = anniversary - datetime.timedelta(days=rng.randint(0, 364))
    return max(birth, datetime.date(FIRST_BIRTH_YEAR, 1, 1) + datetime.timedelta(days=rng.randint(0, 200)))


def surname_for(member: Member, family: Family, surnames: dict[str, str], names: Identities) -> str:
    """The surname a member would have: children take the father's, a head's father shares the head's."""
    members = family.members
    head = members[0]
    if "head" not in surnames:
        surnames["head"] = names.surname()
        spouse = next((m for m in members if m.relation == Relation.SPOUSE), None)
        surnames["spouse"] = names.surname()
        father = head if head.gender == Gender.MALE or spouse is None else spouse
        surnames["child"] = surnames["head"] if father is head else surnames["spouse"]
        child = next((m for m in members if m.relation == Relation.CHILD), None)
        surnames["grandchild"] = surnames["child"] if child is None or child.gender == Gender.MALE else names.surname()
    if member is head:
        return surnames["head"]
    if member.relation == Relation.SPOUSE:
        return surnames["spouse"]
    if member.relation == Relation.CHILD:
        return surnames["child"]
    if member.relation == Relation.GRANDCHILD:
        return surnames["grandchild"]
    if member.relation == Relation.PARENT and member.gender == Gender.MALE:
        return surnames["head"]
    return names.surname()


def resident_family(rng: random.Random) -> Family:
    """The demo resident account's family (居民张女士, phone 13800000001): she heads it, with her husband,
    their daughter and her mother, in the first house of the demo's own grid."""
    family = Family(renting=False, members=[
        Member(Relation.HEAD, 45, Gender.FEMALE, Residency.REGISTERED),
        Member(Relation.SPOUSE, 47, Gender.MALE, Residency.REGISTERED),
        Member(Relation.CHILD, 14, Gender.FEMALE, Residency.REGISTERED),
        Member(Relation.PARENT, 81, Gender.FEMALE, Residency.REGISTERED),
    ])  # fmt: skip
    family.demo_resident = True
    return family
