"""Reads for the registry pages: the search box, the person, household and house cards, and the resolvers
that turn what a worker types ("13800001234", "1号楼1单元101", an identity number) into records.

Every read starts from `restrict(user, action)`; a person's parts are read through their own rules (which
follow the person), never through the person's related managers, so a card shows nothing its reader's
scope would not give them on its own. Numbers are found by their keyed digest, never by decrypting.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from linli.cases.models import Case
from linli.core.crypto import digest
from linli.core.masking import mask_name
from linli.core.validation import normalize_phone
from linli.places.choices import PlaceLevel
from linli.places.models import Place, subtree_q
from linli.places.queries import BUILDING_RE, HOUSE_RE, UNIT_RE

from .choices import IdType
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
    PersonQuerySet,
    Tenancy,
)
from .presenting import person_fields
from .validation import identity

PAGE_SIZE = 50
MATCHED_PLACES = 20  # a house text matching more places than this is too vague to list people by
LATEST_VISITS = 10
LATEST_CASES = 20
DIGITS_RE = re.compile(r"\d")
LONE_ROOM_RE = re.compile(r"\D*?(\d{3,4})(?:室|号|户)?")


def persons_for(user: Any, action: str = "view") -> PersonQuerySet:
    return Person.objects.restrict(user, action)


def houses_for(user: Any, action: str = "view") -> QuerySet[Place]:
    """House places in the user's scope (the registry's readers read the places under theirs)."""
    return Place.objects.restrict(user, action).filter(level=PlaceLevel.HOUSE)


# --------------------------------------------------------------------------------------------------
# Numbers and addresses typed into a box


def phone_digest(text: str) -> str | None:
    """The digest a stored phone has, for text that reads as a Chinese phone number; else None."""
    try:
        return digest(normalize_phone(text))
    except ValidationError:
        return None


def id_digests(text: str) -> list[str]:
    """The digests a stored identity number may have for this text: the checked mainland form when it is one
    (registration stores that), and the plain upper-case form that other documents are stored in."""
    plain = re.sub(r"\s+", "", text or "").upper()
    if not plain or not DIGITS_RE.search(plain):
        return []
    found = [plain]
    try:
        checked = identity(IdType.RESIDENT_ID, plain)[0]
    except ValidationError:
        checked = ""
    if checked and checked != plain:
        found.append(checked)
    return [digest(value) for value in found]


def find_by_phone(user: Any, phone: str, action: str = "view") -> PersonQuerySet:
    found = phone_digest(phone)
    return persons_for(user, action).filter(phone_digest=found) if found else persons_for(user, action).none()


def find_by_id_number(user: Any, number: str, action: str = "view") -> PersonQuerySet:
    found = id_digests(number)
    return persons_for(user, action).filter(id_digest__in=found) if found else persons_for(user, action).none()


def _variants(number: str, suffixes: tuple[str, ...]) -> list[str]:
    return [number] + [number + s for s in suffixes]


def places_matching(user: Any, text: str, action: str = "view") -> list[Place]:
    """Places in scope named by a code, or by building / unit / room numbers ("3号楼2单元301", "1号楼 101"),
    optionally after an estate's name ("甲园小区1号楼1单元101")."""
    text = re.sub(r"\s+", "", text or "")[:80]
    if not text:
        return []
    scoped = Place.objects.restrict(user, action)
    by_code = list(scoped.filter(code=text)[:1])
    if by_code:
        return by_code
    building, unit = BUILDING_RE.search(text), UNIT_RE.search(text)
    last = unit or building
    # A room alone must be the whole text ("301", "甲园小区301室"): inside a phone number "1234" is no room.
    room = HOUSE_RE.search(text, last.end()) if last else LONE_ROOM_RE.fullmatch(text)
    if not (building or unit or room):
        return []
    prefix = text[: min(m.start(1) for m in (building, unit, room) if m)]
    building_names = (
        _variants(str(int(building.group(1))), ("号楼", "号院", "栋", "幢", "座", "号")) if building else []
    )
    unit_names = _variants(str(int(unit.group(1))), ("单元", "门")) if unit else []
    if room:
        qs = scoped.filter(level=PlaceLevel.HOUSE, name__in=_variants(room.group(1), ("室", "号", "户")))
        if unit_names:
            qs = qs.filter(parent__name__in=unit_names)
            if building_names:
                qs = qs.filter(parent__parent__name__in=building_names)
        elif building_names:
            qs = qs.filter(Q(parent__name__in=building_names) | Q(parent__parent__name__in=building_names))
        estate_level = "parent__parent__parent__name__contains" if unit_names else "parent__parent__name__contains"
    elif unit_names:
        qs = scoped.filter(level=PlaceLevel.BUILDING_UNIT, name__in=unit_names)
        if building_names:
            qs = qs.filter(parent__name__in=building_names)
        estate_level = "parent__parent__name__contains"
    else:
        qs = scoped.filter(level=PlaceLevel.BUILDING, name__in=building_names)
        estate_level = "parent__name__contains"
    if prefix:
        qs = qs.filter(**{estate_level: prefix})
    return list(qs.order_by("path")[: MATCHED_PLACES + 1])


# --------------------------------------------------------------------------------------------------
# The search page


def tags_in_force(day: datetime.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def search_persons(
    user: Any, q: str = "", *, tag: str = "", residency: str = "", status: str = "current"
) -> PersonQuerySet:
    """One box: a name (contains), a phone or identity number (exact, by digest), or a house (code or numbers).
    What a text could be is tried at once; the results are their union, in the user's scope."""
    qs = persons_for(user)
    text = (q or "").strip()[:80]
    if text:
        wanted = Q(name__contains=text)
        found_phone = phone_digest(text) if DIGITS_RE.search(text) else None
        if found_phone:
            wanted |= Q(phone_digest=found_phone)
        numbers = id_digests(text)
        if numbers:
            wanted |= Q(id_digest__in=numbers)
        places = places_matching(user, text)
        if 0 < len(places) <= MATCHED_PLACES:
            for place in places:
                wanted |= subtree_q(place.path, field="place__path")
        qs = qs.filter(wanted)
    today = timezone.localdate()
    if tag:
        qs = qs.filter(Exists(CareTag.objects.filter(tags_in_force(today), person=OuterRef("pk"), tag=tag)))
    if residency:
        qs = qs.filter(residency=residency)
    if status == "current":
        qs = qs.filter(left_on__isnull=True)
    elif status == "left":
        qs = qs.filter(left_on__isnull=False)
    return for_list(qs)


def for_list(qs: PersonQuerySet) -> PersonQuerySet:
    """What a row shows: the home with its building and unit, and the tags in force (one query more)."""
    today = timezone.localdate()
    return qs.select_related("place__parent__parent").prefetch_related(
        Prefetch("care_tags", queryset=CareTag.objects.filter(tags_in_force(today)), to_attr="tags_now")
    )


@dataclass
class Page:
    rows: list[Any]
    number: int
    has_next: bool


def page_of(qs: QuerySet[Any], number: Any, size: int = PAGE_SIZE) -> Page:
    """One page by offset, without counting: one row more than shown says whether a next page exists."""
    text = str(number or "1")
    page = int(text) if text.isascii() and text.isdigit() and 0 < len(text) <= 6 else 1
    page = max(page, 1)
    rows = list(qs.order_by("name", "pk")[(page - 1) * size : page * size + 1])
    return Page(rows=rows[:size], number=page, has_next=len(rows) > size)


def shown(persons: Any, viewer: Any = None) -> Any:
    """Attach each person's masked fields as `.shown`, for templates (which cannot call with arguments).

    With a viewer, a person outside the viewer's reach (an owner living elsewhere, a tenant registered in
    another grid) is named by family name only: the house's record is in reach, the person is not."""
    persons = list(persons)
    reach: set[int] | None = None
    if viewer is not None and persons:
        ids = {p.pk for p in persons}
        reach = set(Person.objects.restrict(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    for person in persons:
        person.shown = person_fields(person)
        if reach is not None and person.pk not in reach:
            person.shown["name"] = mask_name(person.name)
    return persons


def address(place: Place) -> str:
    """A house as a worker says it: 1号楼 1单元 101室 (the building and unit read by select_related)."""
    parts = [place.name]
    node = place
    for _step in range(2):  # no further than select_related read
        parent = node.parent if node.parent_id else None
        if parent is None or parent.level not in (PlaceLevel.BUILDING_UNIT, PlaceLevel.BUILDING):
            break
        parts.insert(0, parent.name)
        node = parent
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------
# Cards


def person_for_page(user: Any, pk: int) -> Person | None:
    return persons_for(user).select_related("place__parent__parent").filter(pk=pk).first()


def lineage(place: Place) -> list[Place]:
    """The place's ancestors from the community down, and the place: names read as the context of a record
    the user may read."""
    above = Place.objects.filter(pk__in=place.ancestor_ids).order_by("depth")
    chain = [p for p in above if p.level not in (PlaceLevel.PROVINCE, PlaceLevel.CITY, PlaceLevel.DISTRICT)]
    return [*chain, place]


def members_of(user: Any, household: Household) -> list[HouseholdMember]:
    rows = HouseholdMember.objects.restrict(user).filter(household=household).select_related("person")
    members = list(rows.order_by("left_on", "joined_on", "pk"))
    shown([m.person for m in members], user)
    return members


@dataclass
class PersonCard:
    memberships: list[HouseholdMember]
    household: Household | None
    members: list[HouseholdMember]
    house: House | None
    owners: list[Ownership]
    tenants: list[Tenancy]
    owns: list[Ownership]
    rents: list[Tenancy]
    tags: list[CareTag]
    visits: list[CareVisit]
    party: list[PartyMembership]
    consents: list[Consent]
    cases: list[Case]


def person_card(user: Any, person: Person) -> PersonCard:
    memberships = list(
        HouseholdMember.objects.restrict(user)
        .filter(person=person)
        .select_related("household__house")
        .order_by("left_on", "-joined_on", "-pk")
    )
    current = next((m for m in memberships if m.left_on is None), None)
    household = current.household if current else None
    at_house = person.place if person.place.level == PlaceLevel.HOUSE else None
    owners = tenants = []
    house = None
    if at_house is not None:
        house = House.objects.restrict(user).filter(place=at_house).first()
        owners = list(Ownership.objects.restrict(user).filter(house=at_house).select_related("person"))
        tenants = list(Tenancy.objects.restrict(user).filter(house=at_house).select_related("person"))
        shown([o.person for o in owners if o.person] + [t.person for t in tenants], user)
    cases = Case.objects.restrict(user).filter(reporter_person=person).only("pk", "title", "state", "created_at")
    return PersonCard(
        memberships=memberships,
        household=household,
        members=members_of(user, household) if household else [],
        house=house,
        owners=owners,
        tenants=tenants,
        owns=list(Ownership.objects.restrict(user).filter(person=person).select_related("house")),
        rents=list(Tenancy.objects.restrict(user).filter(person=person).select_related("house")),
        tags=list(CareTag.objects.restrict(user).filter(person=person).order_by("valid_to", "-valid_from")),
        visits=list(CareVisit.objects.restrict(user).filter(person=person).select_related("visitor")[:LATEST_VISITS]),
        party=list(PartyMembership.objects.restrict(user).filter(person=person).select_related("reported_to")),
        consents=list(Consent.objects.restrict(user).filter(person=person)),
        cases=list(cases.order_by("-created_at")[:LATEST_CASES]),
    )


def household_for_page(user: Any, pk: int) -> Household | None:
    return Household.objects.restrict(user).select_related("house__parent__parent").filter(pk=pk).first()


def house_for_page(user: Any, pk: int) -> Place | None:
    return houses_for(user).select_related("parent__parent").filter(pk=pk).first()


@dataclass
class HouseCard:
    house: House | None
    owners: list[Ownership]
    tenants: list[Tenancy]
    households: list[tuple[Household, list[HouseholdMember]]]
    residents: list[Person]


def house_card(user: Any, place: Place) -> HouseCard:
    owners = list(Ownership.objects.restrict(user).filter(house=place).select_related("person"))
    tenants = list(Tenancy.objects.restrict(user).filter(house=place).select_related("person"))
    households = list(Household.objects.restrict(user).filter(house=place).order_by("dissolved_on", "pk"))
    members = (
        HouseholdMember.objects.restrict(user)
        .filter(household__in=households)
        .select_related("person")
        .order_by("left_on", "joined_on", "pk")
    )
    by_household: dict[int, list[HouseholdMember]] = {h.pk: [] for h in households}
    for member in members:
        by_household[member.household_id].append(member)
    residents = list(persons_for(user).filter(place=place).order_by("left_on", "name", "pk"))
    shown(
        [o.person for o in owners if o.person]
        + [t.person for t in tenants]
        + [m.person for rows in by_household.values() for m in rows]
        + residents,
        user,
    )
    return HouseCard(
        house=House.objects.restrict(user).filter(place=place).first(),
        owners=owners,
        tenants=tenants,
        households=[(h, by_household[h.pk]) for h in households],
        residents=residents,
    )


# --------------------------------------------------------------------------------------------------
# Resolvers for the action forms: one match or a clear refusal


def person_by_text(user: Any, text: str, action: str = "change") -> list[Person]:
    """Persons a worker names by phone, identity number or full name, in scope; at most a few."""
    text = (text or "").strip()
    if not text:
        return []
    by_number = find_by_id_number(user, text, action) | find_by_phone(user, text, action)
    found = list(by_number.distinct()[:5])
    if found:
        return found
    return list(persons_for(user, action).filter(name=text, left_on__isnull=True)[:5])


def household_at(user: Any, house: Place, text: str, action: str = "change") -> Household | None:
    text = (text or "").strip()
    qs = Household.objects.restrict(user, action).filter(house=house, dissolved_on__isnull=True)
    by_number = qs.filter(number=text).first()
    if by_number is not None or not text.isdigit():
        return by_number
    return qs.filter(pk=int(text)).first() if len(text) <= 12 else None
