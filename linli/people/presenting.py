"""How a person's personal data looks to a viewer: masked unless revealed through linli.people.actions.privacy.

One function per field so that pages, the API and exports all mask alike. Sensitive records (minors, and
those marked sensitive) are masked more strictly: the name loses its given name, numbers keep only their last
four characters, and the birth date shows the year alone.
"""

from __future__ import annotations

from typing import Any

from linli.core.masking import mask_id_number, mask_name, mask_phone, mask_strictly

MASKED_FIELDS = ("name", "id_number", "phone", "birth_date")
REVEALABLE = ("id_number", "phone")


def masked(person: Any, field: str) -> str:
    """The field as a viewer without a revealed value sees it."""
    value = getattr(person, field)
    sensitive = person.is_sensitive
    if field == "name":
        return mask_name(value) if sensitive else str(value)
    if field == "id_number":
        return mask_strictly(value) if sensitive else mask_id_number(value)
    if field == "phone":
        return mask_strictly(value) if sensitive else mask_phone(value)
    if field == "birth_date":
        if value is None:
            return ""
        return f"{value:%Y}" if sensitive else value.isoformat()
    raise ValueError(f"{field} is not a masked field")


def person_fields(person: Any, revealed: dict[str, str] | None = None) -> dict[str, str]:
    """The masked fields of a person, with any value revealed (and logged) by the caller put in place."""
    shown = {field: masked(person, field) for field in MASKED_FIELDS}
    for field, value in (revealed or {}).items():
        shown[field] = value
    return shown
