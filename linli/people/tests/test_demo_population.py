"""The demo population (linli.people.demo) on a small town: every generated person passes the registry's own
checks, identity numbers sit on the centenarians' reserved sequence codes, phones in the placeholder blocks,
households and owners hang together, about one in twenty carries a care tag, some are overdue for a visit,
and the visit clock is the registry's own."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Q, Sum
from django.utils import timezone

from linli.core.crypto import digest
from linli.core.validation import normalize_id_number, normalize_mobile
from linli.people import demo
from linli.people.actions.care import refresh_visit_clock, rule_days
from linli.people.choices import HouseUse, IdType, Relation, Residency
from linli.people.models import (
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
from linli.people.validation import check_person

from .demo_town import add_houses

pytestmark = pytest.mark.django_db

COUNT = 400
PLACEHOLDER = re.compile(r"^1[3-9]\d0000\d{4}$")


@pytest.fixture
def town(world: Any) -> demo.Summary:
    add_houses(world, doors=3)
    summary = demo.build(COUNT, seed=7)
    assert summary is not None
    return summary


def test_builds_exactly_the_people_asked_for_once(town: demo.Summary) -> None:
    assert town.persons == COUNT == Person.objects.count()
    assert demo.build(COUNT, seed=7) is None  # a second run changes nothing
    assert Person.objects.count() == COUNT


def test_every_person_passes_the_registry_checks(town: demo.Summary) -> None:
    today = timezone.localdate()
    for person in Person.objects.all():
        fields = {f: getattr(person, f) for f in ("name", "id_type", "id_number", "gender", "birth_date", "phone",
                                                   "ethnicity", "residency", "arrived_on", "left_on")}  # fmt: skip
        checked = check_person(fields, today)
        assert (checked.gender, checked.birth_date) == (person.gender, person.birth_date)
        assert person.id_digest == digest(person.id_number)
        assert person.phone_digest == (digest(person.phone) if person.phone else None)
        if person.id_type == IdType.RESIDENT_ID:
            assert normalize_id_number(person.id_number) == person.id_number
            # GB 11643 keeps 996–999 for centenarians; nobody here is one, so no number can be a real one's.
            assert person.id_number[14:17] in {"996", "997", "998", "999"}
            assert person.birth_date is not None and person.birth_date.year > 1926
        if person.phone:
            assert normalize_mobile(person.phone) == person.phone and PLACEHOLDER.match(person.phone)
        age = person.age()
        if age is not None and age < 18:
            assert not person.phone


def test_the_population_looks_like_old_dongcheng(town: demo.Summary) -> None:
    people = list(Person.objects.current())
    ages = [p.age() or 0 for p in people]
    old, children = sum(a >= 60 for a in ages) / len(ages), sum(a < 15 for a in ages) / len(ages)
    assert 0.18 <= old <= 0.38 and 0.04 <= children <= 0.2
    residency = Counter(p.residency for p in people)
    assert residency[Residency.REGISTERED] > len(people) / 2
    assert 0.05 <= residency[Residency.FLOATING] / len(people) <= 0.25
    nations = Counter(p.ethnicity for p in people)
    assert nations["汉族"] / len(people) > 0.85
    surnames = Counter(p.name[0] for p in people if p.id_type == IdType.RESIDENT_ID)
    assert len(surnames) > 30
    # The demo resident account's phone belongs to the head of a registered household.
    her = Person.objects.get(phone_digest=digest("13800000001"), memberships__relation=Relation.HEAD)
    assert her.name.startswith("张") and her.gender == "female"


def test_households_and_houses_hang_together(town: demo.Summary) -> None:
    current = HouseholdMember.objects.filter(left_on__isnull=True, person__left_on__isnull=True)
    heads = Counter(current.filter(relation=Relation.HEAD).values_list("household_id", flat=True))
    assert set(heads.values()) == {1} and set(heads) == set(current.values_list("household_id", flat=True))
    sizes = Counter(current.values("household_id").annotate(n=Count("pk")).values_list("n", flat=True))
    assert max(sizes) <= 6 and sizes[1] and sizes[2] and sizes[3]
    members = Counter(current.values_list("person_id", flat=True))
    assert set(members.values()) == {1} and len(members) == Person.objects.current().count()
    assert not Person.objects.current().exclude(place__level="house").exists()
    for household in Household.objects.all():
        assert not household.members.exclude(person__place_id=household.house_id).exists()
    # Owners' shares never exceed the whole; some homes are co-owned, one developer holds unsold ones.
    shares = Ownership.objects.filter(until__isnull=True).values("house").annotate(total=Sum("share"))
    assert all(row["total"] <= Decimal(1) for row in shares)
    assert Ownership.objects.filter(share__lt=1).exists()
    assert Ownership.objects.filter(organisation=demo.DEVELOPER).exists()
    uses = Counter(House.objects.values_list("use", flat=True))
    assert uses[HouseUse.OWNER_OCCUPIED] > uses[HouseUse.RENTED] > 0 and uses[HouseUse.VACANT]
    assert set(House.objects.values_list("place_id", flat=True)) == set(
        Ownership.objects.values_list("house", flat=True)
    )
    rented = House.objects.filter(use=HouseUse.RENTED).values_list("place_id", flat=True)
    assert set(Tenancy.objects.values_list("house_id", flat=True)) == set(rented)
    for use in (HouseUse.VACANT, HouseUse.COMMERCIAL):
        empty = House.objects.filter(use=use).values_list("place_id", flat=True)
        assert not Household.objects.filter(house_id__in=empty).exists()
    occupied = Ownership.objects.filter(house__house__use=HouseUse.OWNER_OCCUPIED, person__isnull=False)
    assert all(o.person.place_id == o.house_id for o in occupied.select_related("person"))


def test_care_tags_visits_and_clocks(town: demo.Summary) -> None:
    today = timezone.localdate()
    current = Person.objects.current()
    in_force = CareTag.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today)
    tagged = current.filter(pk__in=in_force.values("person")).count()
    assert 0.02 <= tagged / current.count() <= 0.09
    assert not in_force.filter(tag="advanced_age", person__birth_date__gt=today - datetime.timedelta(days=80 * 365))
    assert set(CareTag.objects.values_list("source", flat=True)) and not CareTag.objects.filter(source="").exists()
    # Most tagged people were visited within their interval, some are overdue.
    assert current.filter(next_visit_due__lt=today).exists()
    assert current.filter(next_visit_due__gte=today).count() > current.filter(next_visit_due__lt=today).count()
    assert CareVisit.objects.exists() and not CareVisit.objects.filter(visited_at__gt=timezone.now()).exists()
    # The clock is the registry's rule: recomputing it changes nothing.
    rules = rule_days()
    for person in current.filter(pk__in=in_force.values("person")).prefetch_related("care_tags"):
        before = (person.visit_every_days, person.next_visit_due)
        refresh_visit_clock(person, rules)
        assert (person.visit_every_days, person.next_visit_due) == before, person.pk
    assert not current.exclude(pk__in=in_force.values("person")).exclude(next_visit_due=None).exists()


def test_party_members_and_consents(town: demo.Summary) -> None:
    assert PartyMembership.objects.filter(reported_to__level="community").exists()  # 双报到
    adults = [p.pk for p in Person.objects.current() if (p.age() or 0) >= 18]
    registry = set(Consent.objects.filter(purpose="registry").values_list("person_id", flat=True))
    assert set(adults) <= registry
