"""The persons file: each row checked as the forms check a person (linli.people.validation.check_person),
then the file as a whole (its houses, duplicates in the file and in the registry, one head per household),
then, only when no row is bad, everything written at once with bulk inserts.

bulk_create bypasses Person.save, so the digests that make exact search an index lookup are set here with
the same linli.core.crypto.digest; the identity number and phone are encrypted once each as they are
inserted (EncryptedTextField). A tagged person gets the visit clock linli.people.actions.care computes for a
tag that applies from today: the shortest interval of their tags, due that many days from now.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.crypto import digest
from linli.core.masking import mask_name, mask_strictly
from linli.core.validation import check_plain_text

from .actions.care import rule_days
from .choices import Relation, TagSource
from .imports_check import BATCH, HouseLookup, Report, field_errors
from .imports_format import GENDER_WORDS, ID_TYPE_WORDS, RELATION_WORDS, RESIDENCY_WORDS, TAG_WORDS, tag_codes
from .models import CareTag, Household, HouseholdMember, Person
from .presenting import masked
from .validation import SYNONYMS, PersonData, check_person, choice

HOUSEHOLD_NUMBER_LENGTH = 32
NOTE_LENGTH = 2000
CHOICE_FIELDS = ("id_type", "gender", "residency", "relation")


def _known_words() -> dict[str, dict[str, str]]:
    """Spreadsheet words → our codes for the choice fields. `choice` would find them too, but only after
    translating every label of the field, which is most of the time a 100,000-row file takes to check."""
    words: dict[str, dict[str, str]] = {
        f: {str(k): str(v) for k, v in SYNONYMS.get(f, {}).items()} for f in CHOICE_FIELDS
    }
    words["gender"].update({v: k for k, v in GENDER_WORDS.items()})
    for name, table in (("id_type", ID_TYPE_WORDS), ("residency", RESIDENCY_WORDS), ("relation", RELATION_WORDS)):
        words[name].update({v: str(k) for k, v in table.items()})
    return words


KNOWN_WORDS = _known_words()


def _with_codes(raw: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(raw)
    for name in CHOICE_FIELDS:
        text = values.get(name)
        if isinstance(text, str):
            values[name] = KNOWN_WORDS[name].get(text.strip(), text)
    return values


@dataclass(slots=True)
class PersonRow:
    number: int
    data: PersonData
    house_text: str
    household: str
    relation: str
    tags: list[str]
    note: str
    house_id: int = 0
    id_digest: str = ""


@dataclass
class PersonChecker:
    tables = tuple(m._meta.db_table for m in (Person, Household, HouseholdMember, CareTag))

    actor: Any
    labels: Mapping[str, str]
    today: datetime.date = field(default_factory=timezone.localdate)
    rows: list[PersonRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.report = Report(self.labels)
        self.houses = HouseLookup(self.actor)
        self.households: dict[tuple[int, str], int] = {}

    # ----------------------------------------------------------------------------------------------
    # One row

    def add(self, number: int, raw: Mapping[str, Any]) -> PersonRow | None:
        raw = _with_codes(raw)
        errors: dict[str, list[str]] = {}
        data = None
        try:
            data = check_person(raw, self.today)
        except ValidationError as exc:
            errors.update(field_errors(exc))
        house = str(raw.get("house") or "").strip()
        if not house:
            errors.setdefault("house", []).append(_("This field is required"))
        household = str(raw.get("household") or "").strip()
        try:
            household = check_plain_text(household)
            if len(household) > HOUSEHOLD_NUMBER_LENGTH:
                raise ValidationError(_("At most %(count)d characters") % {"count": HOUSEHOLD_NUMBER_LENGTH})
        except ValidationError as exc:
            errors["household"] = list(exc.messages)
        relation = ""
        try:
            relation = choice("relation", raw.get("relation"))
        except ValidationError as exc:
            errors["relation"] = list(exc.messages)
        if household and not relation and "relation" not in errors:
            errors["relation"] = [_("Give the relation to the head of the household")]
        if relation and not household:
            errors.setdefault("household", []).append(_("Give the household number for this relation"))
        tags, unknown = tag_codes(str(raw.get("tags") or ""))
        if unknown:
            errors["tags"] = [_("Not a care tag: %(words)s") % {"words": "、".join(unknown)}]
        if tags and data is not None and data.left_on is not None:
            errors.setdefault("tags", []).append(_("A person who has left carries no care tags"))
        note = str(raw.get("note") or "").strip()
        try:
            check_plain_text(note)
            if len(note) > NOTE_LENGTH:
                raise ValidationError(_("A note has at most 2,000 characters"))
        except ValidationError as exc:
            errors["note"] = list(exc.messages)
        if errors or data is None:
            secrets = (str(raw.get("id_number") or "").strip().upper(), str(raw.get("phone") or "").strip())
            self.report.refuse(number, errors, secrets)
            return None
        row = PersonRow(number, data, house, household, relation, tags, note)
        self.rows.append(row)
        return row

    # ----------------------------------------------------------------------------------------------
    # The file as a whole

    def finish(self) -> None:
        self.houses.resolve(r.house_text for r in self.rows)
        for row in self.rows:
            found = self.houses.place_id(row.house_text)
            if isinstance(found, str):
                self.report.add(row.number, "house", found)
            else:
                row.house_id = found
            if row.data.id_number:
                row.id_digest = digest(row.data.id_number)
        self._duplicates_in_file()
        self._duplicates_in_registry()
        self._heads()

    def _duplicates_in_file(self) -> None:
        by_number: dict[str, int] = {}
        by_person: dict[tuple[str, datetime.date, int], int] = {}
        for row in self.rows:
            if row.id_digest:
                first = by_number.setdefault(row.id_digest, row.number)
                if first != row.number:
                    self.report.add(
                        row.number, "id_number", _("The same identity number as row %(row)d") % {"row": first}
                    )
            if row.data.birth_date and row.house_id:
                first = by_person.setdefault((row.data.name, row.data.birth_date, row.house_id), row.number)
                if first != row.number:
                    message = _("The same name and birth date in the same house as row %(row)d") % {"row": first}
                    self.report.add(row.number, "name", message)

    def _duplicates_in_registry(self) -> None:
        numbered = [r for r in self.rows if r.id_digest]
        for start in range(0, len(numbered), BATCH):
            chunk = numbered[start : start + BATCH]
            taken = set(
                Person.objects.filter(id_digest__in=[r.id_digest for r in chunk]).values_list("id_digest", flat=True)
            )
            for row in chunk:
                if row.id_digest in taken:
                    message = _("A person with this identity number is already registered")
                    self.report.add(row.number, "id_number", message)
        dated = sorted((r for r in self.rows if r.data.birth_date and r.house_id), key=lambda r: r.house_id)
        for start in range(0, len(dated), BATCH):
            chunk = dated[start : start + BATCH]
            known = set(
                Person.objects.filter(
                    place_id__in={r.house_id for r in chunk}, name__in={r.data.name for r in chunk}
                ).values_list("name", "birth_date", "place_id")
            )
            for row in chunk:
                if (row.data.name, row.data.birth_date, row.house_id) in known:
                    message = _("A person with this name and birth date is already registered here")
                    self.report.add(row.number, "name", message)

    def _heads(self) -> None:
        """At most one current head per household, counting a head the registry already has."""
        keyed = [r for r in self.rows if r.household and r.house_id]
        self.households = existing_households({(r.house_id, r.household) for r in keyed})
        headed = households_with_head(set(self.households.values()))
        heads: dict[tuple[int, str], int] = {}
        for row in keyed:
            if row.relation != Relation.HEAD or row.data.left_on is not None:
                continue
            key = (row.house_id, row.household)
            if key in heads:
                message = _("Row %(row)d is already the head of this household") % {"row": heads[key]}
                self.report.add(row.number, "relation", message)
            elif self.households.get(key) in headed:
                self.report.add(row.number, "relation", _("This household already has a head"))
            else:
                heads[key] = row.number

    # ----------------------------------------------------------------------------------------------
    # Preview and write

    def shown(self, raw: Mapping[str, Any], row: PersonRow | None) -> dict[str, str]:
        """A row as the preview shows it: personal fields masked as everywhere else (presenting.masked)."""
        if row is None:
            birth = str(raw.get("birth_date") or "")
            return {
                "name": mask_name(str(raw.get("name") or "")),
                "id_type": str(raw.get("id_type") or ""),
                "id_number": mask_strictly(str(raw.get("id_number") or "")),
                "gender": str(raw.get("gender") or ""),
                "birth_date": birth[:4],
                "phone": mask_strictly(str(raw.get("phone") or "")),
                "residency": str(raw.get("residency") or ""),
                "house": str(raw.get("house") or ""),
                "household": str(raw.get("household") or ""),
                "relation": str(raw.get("relation") or ""),
                "tags": str(raw.get("tags") or ""),
            }
        person = Person(**vars(row.data))
        return {
            "name": masked(person, "name"),
            "id_type": ID_TYPE_WORDS.get(row.data.id_type, row.data.id_type),  # type: ignore[call-overload]
            "id_number": masked(person, "id_number"),
            "gender": GENDER_WORDS.get(row.data.gender, ""),
            "birth_date": masked(person, "birth_date"),
            "phone": masked(person, "phone"),
            "residency": RESIDENCY_WORDS.get(row.data.residency, ""),  # type: ignore[call-overload]
            "house": row.house_text,
            "household": row.household,
            "relation": RELATION_WORDS.get(row.relation, ""),  # type: ignore[call-overload]
            "tags": "、".join(TAG_WORDS.get(t, t) for t in row.tags),  # type: ignore[call-overload]
        }

    def write(self, actor: Any, job_number: int) -> dict[str, int]:
        """Inside the caller's transaction: households, persons, memberships, tags."""
        today = timezone.localdate()
        households = dict(self.households)
        new_keys = sorted({(r.house_id, r.household) for r in self.rows if r.household} - set(households))
        made = Household.objects.bulk_create(
            [Household(house_id=house, number=number) for house, number in new_keys], batch_size=BATCH
        )
        households.update({(h.house_id, h.number): h.pk for h in made})
        rules = rule_days()
        persons = []
        for row in self.rows:
            person = Person(place_id=row.house_id, note=row.note, **vars(row.data))
            person.id_digest = row.id_digest or None
            person.phone_digest = digest(row.data.phone) if row.data.phone else None
            every = min((d for d in (rules.get(t) for t in row.tags) if d), default=None)
            if every is not None and row.data.left_on is None:
                person.visit_every_days = every
                person.next_visit_due = today + datetime.timedelta(days=every)
            persons.append(person)
        Person.objects.bulk_create(persons, batch_size=BATCH)
        members = [
            HouseholdMember(
                household_id=households[(row.house_id, row.household)],
                person_id=person.pk,
                relation=row.relation,
                joined_on=row.data.arrived_on,
                left_on=row.data.left_on,
            )
            for row, person in zip(self.rows, persons, strict=True)
            if row.household
        ]
        HouseholdMember.objects.bulk_create(members, batch_size=BATCH)
        source_note = _("Excel import no. %(number)d") % {"number": job_number}
        recorder = actor if getattr(actor, "pk", None) else None
        tags = [
            CareTag(
                person_id=person.pk,
                tag=tag,
                source=TagSource.COMMUNITY_ASSESSMENT,
                source_note=source_note,
                valid_from=today,
                recorded_by=recorder,
            )
            for row, person in zip(self.rows, persons, strict=True)
            for tag in row.tags
        ]
        CareTag.objects.bulk_create(tags, batch_size=BATCH)
        return {"persons": len(persons), "households": len(made), "members": len(members), "tags": len(tags)}


def existing_households(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(house, household number) → the household registered there and not dissolved."""
    found: dict[tuple[int, str], int] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        rows = Household.objects.filter(
            house_id__in={h for h, _n in chunk}, number__in={n for _h, n in chunk}, dissolved_on__isnull=True
        ).values_list("pk", "house_id", "number")
        for pk, house, number in rows:
            if (house, number) in keys:
                found.setdefault((house, number), pk)
    return found


def households_with_head(ids: set[int]) -> set[int]:
    ordered = sorted(ids)
    headed: set[int] = set()
    for start in range(0, len(ordered), BATCH):
        headed.update(
            HouseholdMember.objects.filter(
                household_id__in=ordered[start : start + BATCH], relation=Relation.HEAD, left_on__isnull=True
            ).values_list("household_id", flat=True)
        )
    return headed
