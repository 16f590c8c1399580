"""The registry's numbers for a community secretary (issue 17, item 7): anonymous counts, never a person.

Every figure is one aggregate query over rows read through `restrict(user, "view")` and narrowed to the
subtree of the chosen place, so a person outside the user's scope is never counted, and 50,000 residents
cost the same few queries as fifty. Age bands are birth-date ranges computed from today, not ages computed
per person. The page and the Excel file are the same `Table` objects: the workbook is generated from them,
never typed separately.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from linli.core.tabular import neutralise_cell
from linli.places.models import Place, subtree_q

from .choices import AGE_BANDS, CareTagKind, Gender, HouseUse, Residency, age_band
from .models import CareTag, House, Household, Ownership, PartyMembership, Person, PurgedCount

UNKNOWN = ""  # a blank gender, a missing or impossible birth date
SHEET_TITLE_LIMIT = 31
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass
class Table:
    key: str  # stable id for the page and the tests
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class Statistics:
    place: Place
    day: datetime.date
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` earlier; 29 February becomes the 28th (whoever was born on the 29th is a year
    older on 1 March in a common year, as `age_on` counts)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def band_label(low: int, high: int) -> str:
    return age_band(low)  # the one spelling of a band's name, shared with the purge's counts


def band_case(day: datetime.date, field_name: str = "birth_date") -> Case:
    """SQL CASE putting a birth date into its age band on `day`: born in (day − (high+1) years, day − low years]."""
    whens = [
        When(
            **{f"{field_name}__gt": years_before(day, high + 1), f"{field_name}__lte": years_before(day, low)},
            then=Value(band_label(low, high)),
        )
        for low, high in AGE_BANDS
    ]
    return Case(*whens, default=Value("?"), output_field=CharField())


GENDERS: tuple[str, ...] = (Gender.MALE, Gender.FEMALE, UNKNOWN)


def _gender_columns(first: str) -> list[str]:
    return [first, *(str(Gender(g).label) if g else _("Not recorded") for g in GENDERS), _("Total")]


def _pivot(counts: Iterable[Any], row_key: str, rows: Sequence[tuple[str, str]], first: str) -> Table:
    """Rows × gender from `values(row_key, "gender").annotate(n=…)`, with totals; every row shown, zero or not."""
    grid: dict[str, dict[str, int]] = {key: dict.fromkeys(GENDERS, 0) for key, _label in rows}
    for item in counts:
        key = item[row_key] if item[row_key] in grid else "?"
        grid.setdefault(key, dict.fromkeys(GENDERS, 0))
        gender = item["gender"] if item["gender"] in GENDERS else UNKNOWN
        grid[key][gender] += item["n"]
    labels = dict(rows)
    table = Table(key="", title="", columns=_gender_columns(first))
    for key, by_gender in grid.items():
        table.rows.append([labels.get(key, _("Unknown")), *by_gender.values(), sum(by_gender.values())])
    totals = [sum(r[i] for r in table.rows) for i in range(1, len(table.columns))]
    table.rows.append([_("Total"), *totals])
    return table


def current_persons(user: Any, place: Place) -> QuerySet[Person]:
    return Person.objects.restrict(user, "view").current().filter(subtree_q(place.path, field="place__path"))


def compute(user: Any, place: Place, day: datetime.date | None = None) -> Statistics:
    day = day or timezone.localdate()
    persons = current_persons(user, place)
    tables: list[Table] = []

    by_residency = _pivot(
        persons.values("residency", "gender").annotate(n=Count("pk")).order_by(),
        "residency",
        [(str(v), str(label)) for v, label in Residency.choices],
        _("Residency type"),
    )
    by_residency.key, by_residency.title = "residency", _("By residency type and gender")
    tables.append(by_residency)

    by_age = _pivot(
        persons.annotate(band=band_case(day)).values("band", "gender").annotate(n=Count("pk")).order_by(),
        "band",
        [(band_label(low, high), band_label(low, high)) for low, high in AGE_BANDS] + [("?", _("Unknown"))],
        _("Age"),
    )
    by_age.key, by_age.title = "age", _("By age and gender")
    tables.append(by_age)

    tables.append(_care_tags(user, place, day))
    tables.append(_houses(user, place))
    tables.append(_summary(user, place, persons))
    tables.append(_purged(user, place))
    return Statistics(place=place, day=day, tables=tables)


def _care_tags(user: Any, place: Place, day: datetime.date) -> Table:
    in_force = (
        CareTag.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="person__place__path"), person__left_on__isnull=True)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
    )
    counts = {r["tag"]: r["n"] for r in in_force.values("tag").annotate(n=Count("person", distinct=True)).order_by()}
    table = Table("care", _("Care tags in force"), [_("Care tag"), _("People")])
    table.rows = [[str(label), counts.get(value, 0)] for value, label in CareTagKind.choices]
    return table


def _houses(user: Any, place: Place) -> Table:
    houses = House.objects.restrict(user, "view").filter(
        subtree_q(place.path, field="place__path"), place__is_active=True
    )
    counts = {r["use"]: r["n"] for r in houses.values("use").annotate(n=Count("pk")).order_by()}
    unrecorded = (
        Place.objects.restrict(user, "view")
        .filter(subtree_q(place.path), level="house", is_active=True, house__isnull=True)
        .count()
    )
    table = Table("houses", _("Houses by use"), [_("Use"), _("Houses")])
    table.rows = [[str(label), counts.get(value, 0)] for value, label in HouseUse.choices]
    table.rows.append([_("Not recorded"), unrecorded])
    table.rows.append([_("Total"), sum(r[1] for r in table.rows)])
    return table


def _summary(user: Any, place: Place, persons: QuerySet[Person]) -> Table:
    households = (
        Household.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="house__path"), dissolved_on__isnull=True)
        .count()
    )
    owners = (
        Ownership.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="house__path"), until__isnull=True)
        .aggregate(
            people=Count("person", distinct=True),
            organisations=Count("organisation", distinct=True, filter=Q(person__isnull=True)),
        )
    )
    party = (
        PartyMembership.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="person__place__path"), person__left_on__isnull=True, ended_on__isnull=True)
        .aggregate(
            members=Count("person", distinct=True),
            reported=Count("person", distinct=True, filter=Q(reported_to__isnull=False)),
        )
    )
    table = Table("summary", _("Key figures"), [_("Figure"), _("Count")])
    table.rows = [
        [_("People living here"), persons.count()],
        [_("Households"), households],
        [_("Owners: people"), owners["people"]],
        [_("Owners: organisations"), owners["organisations"]],
        [_("Party members living here"), party["members"]],
        [_("Party members registered with the community (双报到)"), party["reported"]],
    ]
    return table


def _purged(user: Any, place: Place) -> Table:
    rows = (
        PurgedCount.objects.restrict(user, "view")
        .filter(subtree_q(place.path, field="community__path"))
        .values("left_year", "residency")
        .annotate(n=Sum("count"))
        .order_by()
    )
    residencies = [str(v) for v in Residency.values]
    by_year: dict[int, dict[str, int]] = {}
    for item in rows:
        year = by_year.setdefault(item["left_year"], dict.fromkeys(residencies, 0))
        year[item["residency"]] = year.get(item["residency"], 0) + (item["n"] or 0)
    table = Table(
        "purged",
        _("Records removed after retention, by year left"),
        [_("Year left"), *(str(label) for label in Residency.labels), _("Total")],
    )
    for year_left in sorted(by_year):
        counts = [by_year[year_left].get(r, 0) for r in residencies]
        table.rows.append([year_left, *counts, sum(counts)])
    return table


def sheet_title(text: str, used: set[str]) -> str:
    title = text.translate(SHEET_FORBIDDEN).strip()[:SHEET_TITLE_LIMIT] or "Sheet"
    base, n = title, 2
    while title in used:
        suffix = f" {n}"
        title, n = base[: SHEET_TITLE_LIMIT - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def to_xlsx(stats: Statistics) -> bytes:
    """One sheet per table, the place and the day on top of each; text cells neutralised (a place name is
    typed by people and must not become a formula)."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in stats.tables:
        sheet = workbook.create_sheet(title=sheet_title(table.title, used))
        sheet.append([neutralise_cell(v) for v in (stats.place.name, stats.place.code, stats.day.isoformat())])
        sheet.append([neutralise_cell(v) for v in table.columns])
        for row in table.rows:
            sheet.append([neutralise_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
