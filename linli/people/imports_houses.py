"""The houses file: a house's area and use, and its owners, one row per owner (co-owners of one house on
several rows). An owner with an identity number is a person already registered (found by the number's
digest, and the name must agree); an owner without one is an organisation, such as the developer holding the
unsold part. The shares of a house's owners, those already recorded included, add up to at most the whole.
Checked whole, written only when no row is bad, as the persons file is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.crypto import digest
from linli.core.masking import mask_id_number, mask_name, mask_strictly
from linli.core.validation import check_name, check_plain_text

from .actions.registry import _decimal
from .choices import HouseUse, IdType
from .imports_check import BATCH, HouseLookup, Report, field_errors
from .imports_format import USE_WORDS, use_code
from .models import House, Ownership, Person
from .validation import identity

CERTIFICATE_LENGTH = 64
RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")


@dataclass(slots=True)
class HouseRow:
    number: int
    house_text: str
    area: Decimal | None
    use: str
    owner_name: str
    owner_number: str
    share: Decimal | None
    owner_area: Decimal | None
    certificate: str
    house_id: int = 0
    person_id: int | None = None


def owner_number(text: str) -> str:
    """An owner's document number as the registry stores it (a resident ID checked by its check digit)."""
    text = re.sub(r"\s+", "", text or "").upper()
    if not text:
        return ""
    kind = IdType.RESIDENT_ID if RESIDENT_ID_RE.match(text) else IdType.PASSPORT
    return identity(kind, text)[0]


@dataclass
class HouseChecker:
    tables = tuple(m._meta.db_table for m in (House, Ownership))

    actor: Any
    labels: Mapping[str, str]
    rows: list[HouseRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.report = Report(self.labels)
        self.houses = HouseLookup(self.actor)

    def add(self, number: int, raw: Mapping[str, Any]) -> HouseRow | None:
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}

        def run(name: str, check: Any) -> None:
            try:
                values[name] = check()
            except ValidationError as exc:
                for key, messages in field_errors(exc, name).items():
                    errors.setdefault(key if key in self.labels else name, []).extend(messages)

        def text(name: str) -> str:
            return str(raw.get(name) or "").strip()

        house = text("house")
        if not house:
            errors["house"] = [_("This field is required")]
        run("area", lambda: _decimal(text("area"), "area", low=Decimal("1"), high=Decimal("100000")))
        run("use", lambda: use_code(text("use")))
        run("owner_id", lambda: owner_number(text("owner_id")))
        run("owner_name", lambda: check_name(text("owner_name")) if text("owner_name") else "")
        run("share", lambda: _decimal(text("share"), "share", low=Decimal("0.0001"), high=Decimal("1")))
        run(
            "owner_area",
            lambda: _decimal(text("owner_area"), "owner_area", low=Decimal("0.01"), high=Decimal("100000")),
        )
        run("certificate", lambda: check_plain_text(text("certificate")))
        if len(text("certificate")) > CERTIFICATE_LENGTH:
            errors.setdefault("certificate", []).append(
                _("At most %(count)d characters") % {"count": CERTIFICATE_LENGTH}
            )
        owned = text("share") or text("owner_area") or text("certificate")
        if owned and not text("owner_name") and not text("owner_id"):
            errors.setdefault("owner_name", []).append(_("Name the owner of this share"))
        if errors:
            self.report.refuse(number, errors, [text("owner_id").upper()])
            return None
        row = HouseRow(
            number,
            house,
            values["area"],
            values["use"],
            values["owner_name"],
            values["owner_id"],
            values["share"],
            values["owner_area"],
            values["certificate"],
        )
        self.rows.append(row)
        return row

    def finish(self) -> None:
        self.houses.resolve(r.house_text for r in self.rows)
        for row in self.rows:
            found = self.houses.place_id(row.house_text)
            if isinstance(found, str):
                self.report.add(row.number, "house", found)
            else:
                row.house_id = found
        self._same_house_same_facts()
        self._owners()
        self._shares()

    def _same_house_same_facts(self) -> None:
        first: dict[tuple[int, str], tuple[Any, int]] = {}
        for row in self.rows:
            for name, value in (("area", row.area), ("use", row.use)):
                if not row.house_id or value in (None, ""):
                    continue
                seen = first.setdefault((row.house_id, name), (value, row.number))
                if seen[0] != value:
                    message = _("A different value for the same house in row %(row)d") % {"row": seen[1]}
                    self.report.add(row.number, name, message)

    def _owners(self) -> None:
        numbered = [r for r in self.rows if r.owner_number]
        for start in range(0, len(numbered), BATCH):
            chunk = numbered[start : start + BATCH]
            digests = {digest(r.owner_number): r for r in chunk}
            known = {
                d: (pk, name)
                for d, pk, name in Person.objects.filter(id_digest__in=list(digests)).values_list(
                    "id_digest", "pk", "name"
                )
            }
            for row in chunk:
                found = known.get(digest(row.owner_number))
                if found is None:
                    message = _("No person with this identity number is registered: register the owner first")
                    self.report.add(row.number, "owner_id", message)
                elif row.owner_name and row.owner_name != found[1]:
                    message = _("The name does not match the person registered with this identity number")
                    self.report.add(row.number, "owner_name", message)
                else:
                    row.person_id = found[0]
        self.held: dict[int, Decimal] = {}
        recorded: set[tuple[int, Any]] = set()
        house_ids = sorted({r.house_id for r in self.rows if r.house_id})
        for start in range(0, len(house_ids), BATCH):
            current = Ownership.objects.filter(house_id__in=house_ids[start : start + BATCH], until__isnull=True)
            for house, person, organisation, share in current.values_list(
                "house_id", "person_id", "organisation", "share"
            ):
                self.held[house] = self.held.get(house, Decimal(0)) + share
                recorded.add((house, person or organisation))
        seen: dict[tuple[int, Any], int] = {}
        for row in self.rows:
            owner = row.person_id or row.owner_name
            if not row.house_id or not owner:
                continue
            key = (row.house_id, owner)
            if key in recorded:
                self.report.add(row.number, "owner_name", _("Already recorded as an owner of this house"))
            elif key in seen:
                message = _("The same owner of the same house as row %(row)d") % {"row": seen[key]}
                self.report.add(row.number, "owner_name", message)
            else:
                seen[key] = row.number

    def _shares(self) -> None:
        held = dict(self.held)
        for row in self.rows:
            if not row.house_id or not (row.person_id or (row.owner_name and not row.owner_number)):
                continue
            held[row.house_id] = held.get(row.house_id, Decimal(0)) + (row.share or Decimal(1))
            if held[row.house_id] > 1:
                message = _("The owners' shares would add up to more than the whole house")
                self.report.add(row.number, "share", message)

    def shown(self, raw: Mapping[str, Any], row: HouseRow | None) -> dict[str, str]:
        name = str(raw.get("owner_name") or "")
        number = str(raw.get("owner_id") or "")
        return {
            "house": str(raw.get("house") or ""),
            "area": str(raw.get("area") or ""),
            "use": USE_WORDS.get(row.use, row.use) if row else str(raw.get("use") or ""),  # type: ignore[call-overload]
            "owner_name": mask_name(name) if number else name,
            "owner_id": mask_id_number(number) if row else mask_strictly(number),
            "share": str(raw.get("share") or ""),
            "owner_area": str(raw.get("owner_area") or ""),
            "certificate": str(raw.get("certificate") or ""),
        }

    def write(self, actor: Any, job_number: int) -> dict[str, int]:
        now = timezone.now()
        facts: dict[int, dict[str, Any]] = {}
        for row in self.rows:
            fact = facts.setdefault(row.house_id, {})
            if row.area is not None:
                fact["area"] = row.area
            if row.use:
                fact["use"] = row.use
        existing = {h.place_id: h for h in House.objects.filter(place_id__in=list(facts))}
        changed = []
        for place_id, fact in facts.items():
            if place_id in existing and fact:
                house = existing[place_id]
                house.area = fact.get("area", house.area)
                house.use = fact.get("use", house.use)
                house.updated_at = now
                changed.append(house)
        House.objects.bulk_update(changed, ["area", "use", "updated_at"], batch_size=BATCH)
        new = [
            House(place_id=place_id, area=fact.get("area"), use=fact.get("use") or HouseUse.OWNER_OCCUPIED)
            for place_id, fact in facts.items()
            if place_id not in existing
        ]
        House.objects.bulk_create(new, batch_size=BATCH)
        owners = [
            Ownership(
                house_id=row.house_id,
                person_id=row.person_id,
                organisation="" if row.person_id else row.owner_name,
                share=row.share or Decimal(1),
                area=row.owner_area,
                certificate=row.certificate,
            )
            for row in self.rows
            if row.person_id or row.owner_name
        ]
        Ownership.objects.bulk_create(owners, batch_size=BATCH)
        return {"houses": len(new), "houses_updated": len(changed), "owners": len(owners)}
