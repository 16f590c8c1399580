"""The registry's statistics: each number equals a count made here independently, in Python, over the rows;
nothing outside the viewer's scope is counted; the Excel file holds the page's numbers."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.people import statistics
from linli.people.actions import registry
from linli.people.choices import AGE_BANDS, CareTagKind, Gender, HouseUse, Residency, age_band
from linli.people.models import CareTag, Ownership, PartyMembership, Person, PurgedCount, age_on
from linli.places.models import Place

pytestmark = pytest.mark.django_db

COMMUNITY_A = "110101001001"
COMMUNITY_B = "110101002001"


def _birth_dates(today: datetime.date) -> list[datetime.date | None]:
    """Every band's edges: a birthday today, tomorrow and yesterday at each band's lower age, and no date."""
    dates: list[datetime.date | None] = [None]
    for low, _high in AGE_BANDS:
        edge = statistics.years_before(today, low)
        dates += [edge, edge + datetime.timedelta(days=1), edge - datetime.timedelta(days=1)]
    return dates


@pytest.fixture
def population(world, houses, keeper):
    """Persons on both sides, current and gone, with tags, households, owners, party members and purged counts."""
    rnd = random.Random(17)
    today = timezone.localdate()
    homes = {
        "a": [houses["a101"], houses["a102"], world.place(COMMUNITY_A), world.place("110101001001002")],
        "b": [houses["b101"], houses["b102"], world.place(COMMUNITY_B)],
    }
    births = _birth_dates(today)
    for side, places in homes.items():
        for n in range(40 if side == "a" else 25):
            left = today - datetime.timedelta(days=rnd.randint(1, 400)) if n % 7 == 3 else None
            Person.objects.create(
                name=f"{side}居民{n}",
                gender=rnd.choice([Gender.MALE, Gender.FEMALE, ""]),
                birth_date=births[n % len(births)] if n < len(births) else rnd.choice(births),
                residency=rnd.choice(Residency.values),
                place=places[n % len(places)],
                left_on=left,
            )
    people = list(Person.objects.order_by("pk"))
    for i, person in enumerate(people[::3]):
        tag = list(CareTagKind.values)[i % 3]
        # In force, ended yesterday, or starting tomorrow: only the first counts.
        start, end = [(today, None), (today - datetime.timedelta(days=30), today - datetime.timedelta(days=1)),
                      (today + datetime.timedelta(days=1), None)][i % 3]  # fmt: skip
        CareTag.objects.create(person=person, tag=tag, source="home_visit", valid_from=start, valid_to=end)
        if i % 2 == 0:  # a second tag of the same kind is still one person
            CareTag.objects.create(person=person, tag=tag, source="civil_affairs", valid_from=start, valid_to=end)
    admin = world.admin
    registry.update_house(admin, houses["a101"], use=HouseUse.RENTED, area="70")
    registry.update_house(admin, houses["b101"], use=HouseUse.VACANT)
    for side in ("a", "b"):
        for room in ("101", "102"):
            registry.create_household(admin, house=houses[f"{side}{room}"])
    dissolved = registry.create_household(admin, house=houses["a101"])
    type(dissolved).objects.filter(pk=dissolved.pk).update(dissolved_on=today)
    owner = people[0]
    Ownership.objects.create(house=houses["a101"], person=owner, share="0.5")
    Ownership.objects.create(house=houses["a101"], organisation="开发商", share="0.5")
    Ownership.objects.create(house=houses["a102"], person=owner, share="1")
    Ownership.objects.create(house=houses["b101"], person=people[-1], share="1")
    for i, person in enumerate(people[:12] + people[-5:]):
        PartyMembership.objects.create(
            person=person, organisation="某党支部", reported_to=person.place if i % 2 else None, ended_on=None
        )
    for code, year, n in ((COMMUNITY_A, 2019, 4), (COMMUNITY_A, 2020, 2), (COMMUNITY_B, 2019, 9)):
        PurgedCount.objects.create(
            community=world.place(code), left_year=year, residency="floating", gender="male", age_band="18-34", count=n
        )
    return today


def _expected(community: Place, today: datetime.date) -> dict[str, Counter]:
    """The counts, by a Python walk over every person: no SQL grouping, no date ranges."""
    counts: dict[str, Counter] = {"residency": Counter(), "age": Counter(), "care": Counter()}
    for person in Person.objects.select_related("place"):
        if person.left_on is not None or not person.place.path.startswith(community.path):
            continue
        age = age_on(person.birth_date, today)
        counts["residency"][(person.residency, person.gender)] += 1
        counts["age"][(age_band(age) if age is not None else "?", person.gender)] += 1
        for tag in {t.tag for t in person.care_tags.all() if t.in_force(today)}:
            counts["care"][tag] += 1
    return counts


def _cells(table: statistics.Table) -> dict[str, list]:
    return {str(row[0]): row[1:] for row in table.rows}


def test_numbers_equal_an_independent_count(world, population):
    secretary = world.users[Role.COMMUNITY_SECRETARY]
    community = world.place(COMMUNITY_A)
    stats = statistics.compute(secretary, community)
    expected = _expected(community, population)
    genders = (Gender.MALE, Gender.FEMALE, "")
    residency = _cells(stats.table("residency"))
    for value, label in Residency.choices:
        wanted = [expected["residency"][(value, g)] for g in genders]
        assert residency[str(label)] == [*wanted, sum(wanted)], label
    total = sum(expected["residency"].values())
    assert residency[stats.table("residency").rows[-1][0]][-1] == total == 34  # 40 less the 6 who left
    ages = _cells(stats.table("age"))
    for low, _high in AGE_BANDS:
        band = age_band(low)
        wanted = [expected["age"][(band, g)] for g in genders]
        assert ages[band] == [*wanted, sum(wanted)], band
    assert sum(row[-1] for row in stats.table("age").rows[:-1]) == total
    care = {row[0]: row[1] for row in stats.table("care").rows}
    for value, label in CareTagKind.choices:
        assert care[str(label)] == expected["care"][value], label
    assert sum(expected["care"].values()) > 0
    houses = _cells(stats.table("houses"))
    assert houses[str(HouseUse.RENTED.label)] == [1]
    assert houses[str(HouseUse.VACANT.label)] == [0]  # B's vacant house is not A's
    summary = {row[0]: row[1] for row in stats.table("summary").rows}
    figures = list(summary.values())
    people = [p for p in Person.objects.all() if p.left_on is None and p.place.path.startswith(community.path)]
    party = [m for m in PartyMembership.objects.select_related("person__place") if m.person in people]
    assert figures == [
        total,
        2,  # two households on A's houses; the dissolved one is not counted
        1,  # one person owns parts of two houses
        1,
        len({m.person_id for m in party}),
        len({m.person_id for m in party if m.reported_to_id}),
    ]
    purged = stats.table("purged").rows
    assert [(row[0], row[-1]) for row in purged] == [(2019, 4), (2020, 2)]


def test_scope_decides_what_is_counted(client, world, population):
    def total(user, place=None) -> int:
        stats = statistics.compute(user, place or world.place(COMMUNITY_A))
        return stats.table("residency").rows[-1][-1]

    a_count = sum(1 for p in Person.objects.current() if p.place.path.startswith(world.place(COMMUNITY_A).path))
    b_count = sum(1 for p in Person.objects.current() if p.place.path.startswith(world.place(COMMUNITY_B).path))
    assert (a_count, b_count) != (0, 0)
    assert total(world.users[Role.COMMUNITY_SECRETARY]) == a_count
    # Asked for A's community, B's secretary counts nobody: restrict() decides, not the place asked for.
    assert total(world.outsiders[Role.COMMUNITY_SECRETARY]) == 0
    district = world.place("110101000000")
    assert total(world.users[Role.DISTRICT_COMMAND], district) == a_count + b_count
    assert total(world.outsiders[Role.DISTRICT_COMMAND], district) == 0
    # Pages: the default place is the top of the user's scope; another's place is a 404.
    client.force_login(world.users[Role.COMMUNITY_SECRETARY])
    page = client.get(reverse("people:statistics"))
    assert page.status_code == 200 and page.context["stats"].place.code == COMMUNITY_A
    b_pk = world.place(COMMUNITY_B).pk
    assert client.get(reverse("people:statistics"), {"place": b_pk}).status_code == 404
    assert client.get(reverse("people:statistics_export"), {"place": b_pk}).status_code == 404
    assert client.get(reverse("people:statistics"), {"place": "x1"}).status_code == 404
    client.force_login(world.users[Role.STREET_DISPATCHER])
    page = client.get(reverse("people:statistics"))
    assert page.context["stats"].place.code == "110101001000"
    assert page.context["stats"].table("residency").rows[-1][-1] == a_count
    assert COMMUNITY_A in page.content.decode()  # offered in the place choice
    for role in (Role.GRID_WORKER, Role.RESIDENT, Role.DEPARTMENT_HANDLER, Role.AUDITOR):
        client.force_login(world.users[role])
        assert client.get(reverse("people:statistics")).status_code == 403, role
        assert client.get(reverse("people:statistics_export")).status_code == 403, role


def test_queries_do_not_grow_with_the_population(world, population):
    secretary = world.users[Role.COMMUNITY_SECRETARY]
    community = world.place(COMMUNITY_A)
    statistics.compute(secretary, community)  # the scope is read once per user object
    with CaptureQueriesContext(connection) as before:
        statistics.compute(secretary, community)
    for n in range(60):
        Person.objects.create(name=f"新居民{n}", residency="resident", place=community, birth_date="1990-01-01")
    with CaptureQueriesContext(connection) as after:
        statistics.compute(secretary, community)
    assert len(after) == len(before) <= 12


def _trim(row: tuple) -> list:
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def test_excel_holds_the_same_numbers_with_neutralised_text(client, world, population):
    Place.objects.filter(code=COMMUNITY_A).update(name="=HYPERLINK(1)")
    secretary = world.users[Role.COMMUNITY_SECRETARY]
    stats = statistics.compute(secretary, Place.objects.get(code=COMMUNITY_A))
    client.force_login(secretary)
    response = client.get(reverse("people:statistics_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == len(stats.tables)
    for sheet, table in zip(book.worksheets, stats.tables, strict=True):
        rows = [_trim(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0] == ["'=HYPERLINK(1)", COMMUNITY_A, stats.day.isoformat()]
        assert rows[1] == table.columns
        assert rows[2:] == table.rows and rows[2:], table.key
    residency = book.worksheets[0]
    total = list(residency.iter_rows(values_only=True))[-1][-1]
    assert total == sum(1 for p in Person.objects.current() if p.place.code.startswith(COMMUNITY_A))
