"""Reads of the registry for pages, the API and other apps: each starts from `restrict(user, action)`.

Exact search by phone or identity number is a lookup of the keyed digest (the columns themselves are
encrypted), after the number is written as the registry stores it: a phone in national digits, an identity
number upper-cased without spaces and, for a mainland ID, checked (hyphens dropped).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from linli.core.crypto import digest
from linli.core.validation import normalize_id_number, normalize_phone

from .models import Person, PersonQuerySet


def persons_for(user: Any, action: str = "view") -> PersonQuerySet:
    return Person.objects.restrict(user, action)


def find_by_phone(user: Any, phone: str) -> PersonQuerySet:
    try:
        number = normalize_phone(str(phone or ""))
    except ValidationError:
        return Person.objects.none()
    return persons_for(user).filter(phone_digest=digest(number))


def find_by_id_number(user: Any, number: str) -> PersonQuerySet:
    text = re.sub(r"\s+", "", str(number or "")).upper()
    if not text:
        return Person.objects.none()
    if re.fullmatch(r"\d{17}[\dX]", text.replace("-", "")):
        try:
            text = normalize_id_number(text)
        except ValidationError:
            return Person.objects.none()  # the registry holds only numbers with a right check digit
    return persons_for(user).filter(id_digest=digest(text))
