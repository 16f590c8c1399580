"""Excel (or CSV) out of the registry: the persons, or the houses and their owners, that the user may export
(`restrict(user, "export")`), in the columns of the import templates so that a file can go back in.

Masked by default with linli.people.presenting.masked for every personal field, exactly as pages show them;
in the clear only when the user asks and `can_export_unmasked` allows it. Every export, either kind, is one
row of the access log (linli.people.actions.privacy.record_export), written after the file is built and
before it is handed over. Cells go through linli.core.tabular's writers, which neutralise formulas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_export_registry, can_export_unmasked
from linli.core.masking import mask_in_text, mask_name
from linli.core.tabular import write_csv, write_xlsx
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .actions.privacy import record_export
from .choices import CareTagKind, Relation, Residency
from .imports_format import (
    GENDER_WORDS,
    HOUSE_COLUMNS,
    ID_TYPE_WORDS,
    PERSON_COLUMNS,
    RELATION_WORDS,
    RESIDENCY_WORDS,
    TAG_WORDS,
    USE_WORDS,
)
from .models import CareTag, HouseholdMember, Ownership, Person
from .presenting import masked

CHUNK = 2000


@dataclass
class PersonFilters:
    place: Place | None = None
    tag: str = ""
    residency: str = ""

    def logged(self) -> dict[str, Any]:
        found = {"place": self.place.code if self.place else "", "tag": self.tag, "residency": self.residency}
        return {k: v for k, v in found.items() if v}


def export_place(user: Any, place_id: Any) -> Place | None:
    """A place filter the user may read; anything else (text, an id outside the scope) is no place."""
    text = str(place_id or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return Place.objects.restrict(user, "export").filter(pk=int(text)).first()


def _check(user: Any, unmasked: bool) -> None:
    if not can_export_registry(user) or (unmasked and not can_export_unmasked(user)):
        raise PermissionDenied(_("You may not export this"))


def _write(columns: list[str], rows: Iterator[list[Any]], fmt: str, title: str) -> bytes:
    return write_csv(columns, rows) if fmt == "csv" else write_xlsx(columns, rows, title=title)


def _shown(person: Person, field: str, unmasked: bool) -> str:
    if unmasked:
        value = getattr(person, field)
        return value.isoformat() if field == "birth_date" and value else str(value or "")
    return masked(person, field)


def persons_queryset(user: Any, filters: PersonFilters) -> Any:
    qs = Person.objects.restrict(user, "export").filter(left_on__isnull=True)
    if filters.place is not None:
        qs = qs.filter(place__path__startswith=filters.place.path)
    if filters.residency in Residency.values:
        qs = qs.filter(residency=filters.residency)
    if filters.tag in CareTagKind.values:
        today = timezone.localdate()
        in_force = CareTag.objects.filter(tag=filters.tag, valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        qs = qs.filter(pk__in=in_force.values("person_id"))
    return qs.select_related("place").order_by("place__path", "pk")


def _person_rows(qs: Any, unmasked: bool, counter: list[int]) -> Iterator[list[Any]]:
    today = timezone.localdate()
    members = HouseholdMember.objects.filter(left_on__isnull=True).select_related("household")
    tags = CareTag.objects.filter(valid_from__lte=today).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    qs = qs.prefetch_related(
        Prefetch("memberships", queryset=members, to_attr="current_memberships"),
        Prefetch("care_tags", queryset=tags, to_attr="tags_in_force"),
    )
    for person in qs.iterator(chunk_size=CHUNK):
        counter[0] += 1
        membership = person.current_memberships[0] if person.current_memberships else None
        relation = ""
        if membership is not None:
            relation = RELATION_WORDS.get(membership.relation, "")  # type: ignore[call-overload]
            if membership.relation == Relation.CHILD_IN_LAW and person.gender == "male":
                relation = "女婿"
        yield [
            _shown(person, "name", unmasked),
            ID_TYPE_WORDS.get(person.id_type, ""),  # type: ignore[call-overload]
            _shown(person, "id_number", unmasked),
            GENDER_WORDS.get(person.gender, ""),
            _shown(person, "birth_date", unmasked),
            person.ethnicity,
            _shown(person, "phone", unmasked),
            RESIDENCY_WORDS.get(person.residency, ""),  # type: ignore[call-overload]
            person.place.code,
            membership.household.number if membership else "",
            relation,
            person.arrived_on,
            person.left_on,
            "、".join(TAG_WORDS.get(t.tag, t.tag) for t in person.tags_in_force),  # type: ignore[call-overload]
            person.note if unmasked else mask_in_text(person.note),
        ]


def export_persons(user: Any, filters: PersonFilters, *, unmasked: bool = False, fmt: str = "xlsx") -> bytes:
    _check(user, unmasked)
    counter = [0]
    data = _write(
        [c.header for c in PERSON_COLUMNS],
        _person_rows(persons_queryset(user, filters), unmasked, counter),
        fmt,
        "人员",
    )
    record_export(user, what="person", count=counter[0], unmasked=unmasked, filters=filters.logged())
    return data


def _house_rows(user: Any, place: Place | None, unmasked: bool, counter: list[int]) -> Iterator[list[Any]]:
    houses = Place.objects.restrict(user, "export").filter(level=PlaceLevel.HOUSE, is_active=True)
    if place is not None:
        houses = houses.filter(path__startswith=place.path)
    owners = (
        Ownership.objects.restrict(user, "export").filter(until__isnull=True).select_related("person").order_by("pk")
    )
    houses = houses.select_related("house").prefetch_related(Prefetch("owners", queryset=owners, to_attr="current"))
    reach = set(Person.objects.restrict(user, "export").filter(ownerships__in=owners).values_list("pk", flat=True))
    for house_place in houses.order_by("path").iterator(chunk_size=CHUNK):
        counter[0] += 1
        house = getattr(house_place, "house", None)
        area = house.area if house else None
        use = USE_WORDS.get(house.use, "") if house else ""  # type: ignore[call-overload]
        current = getattr(house_place, "current")  # noqa: B009 (set by the Prefetch)
        if not current:
            yield [house_place.code, area, use, "", "", "", "", ""]
        for owner in current:
            person = owner.person
            if person is not None and person.pk not in reach:
                # An owner living outside the exporter's places: the house's record is theirs, the person not.
                name, number = mask_name(person.name), masked(person, "id_number")
            else:
                name = _shown(person, "name", unmasked) if person else owner.organisation
                number = _shown(person, "id_number", unmasked) if person else ""
            yield [house_place.code, area, use, name, number, owner.share, owner.area, owner.certificate]


def export_houses(user: Any, place: Place | None = None, *, unmasked: bool = False, fmt: str = "xlsx") -> bytes:
    _check(user, unmasked)
    counter = [0]
    data = _write([c.header for c in HOUSE_COLUMNS], _house_rows(user, place, unmasked, counter), fmt, "房屋")
    record_export(
        user, what="house", count=counter[0], unmasked=unmasked, filters={"place": place.code} if place else {}
    )
    return data
