"""Rules a place must satisfy, shared by the single-place form, the API and the bulk import."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import ADMINISTRATIVE_LEVELS, LEVEL_RANK, PlaceLevel

DIVISION_CODE_RE = re.compile(r"^\d{12}$")
GRID_CODE_RE = re.compile(r"^\d{15}$")
LOCAL_CODE_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")
# Statistical division codes nest: a street shares its district's first 6 digits, a community its
# street's first 9, and a grid extends its community's 12 digits with a 3-digit serial.
PARENT_PREFIX = {PlaceLevel.STREET: 6, PlaceLevel.COMMUNITY: 9, PlaceLevel.GRID: 12}


def check_level(level: str) -> str:
    if level not in LEVEL_RANK:
        raise ValidationError(
            _("Unknown level “%(level)s”; use one of %(levels)s"),
            params={"level": level, "levels": ", ".join(PlaceLevel.values)},
        )
    return level


def check_code(code: str, level: str) -> None:
    if level in ADMINISTRATIVE_LEVELS:
        if not DIVISION_CODE_RE.match(code):
            raise ValidationError(_("A division code has 12 digits"))
    elif level == PlaceLevel.GRID:
        if not GRID_CODE_RE.match(code):
            raise ValidationError(_("A grid code has 15 digits: the community code and a 3-digit serial"))
    elif not LOCAL_CODE_RE.match(code):
        raise ValidationError(_("A code has at most 32 letters, digits or hyphens"))


def check_parent(level: str, code: str, parent_level: str | None, parent_code: str | None) -> None:
    if parent_level is None:
        return
    if LEVEL_RANK[parent_level] >= LEVEL_RANK[level]:
        raise ValidationError(
            _("A %(level)s cannot sit under a %(parent)s"),
            params={"level": PlaceLevel(level).label, "parent": PlaceLevel(parent_level).label},
        )
    prefix = PARENT_PREFIX.get(PlaceLevel(level))
    if prefix and parent_code and parent_level in ADMINISTRATIVE_LEVELS and code[:prefix] != parent_code[:prefix]:
        raise ValidationError(
            _("Code %(code)s does not start with its parent's %(n)s digits %(prefix)s"),
            params={"code": code, "n": prefix, "prefix": parent_code[:prefix]},
        )


def check_households(value: str) -> int | None:
    if value in ("", None):
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationError(_("Households must be a whole number")) from None
    if number < 0:
        raise ValidationError(_("Households cannot be negative"))
    return number
