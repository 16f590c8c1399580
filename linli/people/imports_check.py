"""What the persons and houses imports share: the list of bad rows with their reasons, and finding the house
a row names, in the uploader's area.

A bad row's reason is one line in the uploader's language ("证件号码：…；联系电话：…", from
linli.people.validation.message_of). Reasons are stored on the import job and shown on its page, so a
personal number quoted by a validator ("“1101…” is not a valid identity number") is masked in them first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linli.core.masking import mask_in_text, mask_strictly
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .validation import message_of

BATCH = 2000
ERROR_CAP = 1000  # reasons kept on the job; the count of bad rows is always exact


class Report:
    """Every bad row and why, in the order found; labels are the file's own column headings."""

    def __init__(self, labels: Mapping[str, str]):
        self.labels = dict(labels)
        self.problems: dict[int, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.problems)

    def __contains__(self, number: int) -> bool:
        return number in self.problems

    def add(self, number: int, field: str, message: str) -> None:
        label = self.labels.get(field, "")
        self.problems.setdefault(number, []).append(f"{label}：{message}" if label else message)

    def refuse(self, number: int, errors: dict[str, list[str]], secrets: Iterable[str] = ()) -> None:
        """A row's own problems, with the personal numbers it quotes masked."""
        line = message_of(ValidationError(errors), self.labels)  # type: ignore[arg-type]
        for secret in sorted({s for s in secrets if s and len(s) > 4}, key=len, reverse=True):
            line = line.replace(secret, mask_strictly(secret))
        self.problems.setdefault(number, []).append(mask_in_text(line))

    @property
    def bad_rows(self) -> int:
        return len(self.problems)

    def listed(self, cap: int = ERROR_CAP) -> list[list[Any]]:
        return [[number, "；".join(self.problems[number])] for number in sorted(self.problems)[:cap]]


def field_errors(exc: ValidationError, field: str = "") -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return dict(exc.message_dict)
    return {field: list(exc.messages)}


class HouseLookup:
    """House code (or, failing that, an address) → the house, if the uploader may register people there:
    `can_edit_registry(user, house)`, asked once for all the file's houses through the same scope rule."""

    def __init__(self, actor: Any):
        self.actor = actor
        self.found: dict[str, int | str] = {}  # text → place id, or the reason it is refused

    def resolve(self, texts: Iterable[str]) -> None:
        from linli.accounts.predicates import can_import_registry

        wanted = sorted({t for t in texts if t and t not in self.found})
        may_edit = can_import_registry(self.actor)
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            rows = Place.objects.filter(code__in=chunk).values_list("pk", "code", "level", "is_active")
            places = {code: (pk, level, active) for pk, code, level, active in rows}
            editable = (
                set(
                    Place.objects.restrict(self.actor, "change")
                    .filter(pk__in=[p[0] for p in places.values()])
                    .values_list("pk", flat=True)
                )
                if may_edit
                else set()
            )
            for text in chunk:
                if text in places:
                    self.found[text] = self._judge(*places[text], editable)
                else:
                    self.found[text] = self._by_address(text, may_edit)

    def _judge(self, pk: int, level: str, active: bool, editable: set[int]) -> int | str:
        if level != PlaceLevel.HOUSE:
            return _("This place is not a house: give the code of the house")
        if not active:
            return _("This place has been retired")
        if pk not in editable:
            return _("This house is outside the places you may change")
        return pk

    def _by_address(self, text: str, may_edit: bool) -> int | str:
        unknown = _("No house has this code, and no house matches it as an address")
        if text.isascii():
            return unknown
        from linli.cases.actions.intake import ADDRESS_CUTOFF
        from linli.places.queries import resolve_address

        match = resolve_address(text)
        if match is None or match.score < ADDRESS_CUTOFF or match.place.level != PlaceLevel.HOUSE:
            return unknown
        place = match.place
        editable = may_edit and Place.objects.restrict(self.actor, "change").filter(pk=place.pk).exists()
        return self._judge(place.pk, place.level, place.is_active, {place.pk} if editable else set())

    def place_id(self, text: str) -> int | str:
        return self.found.get(text, _("No house has this code, and no house matches it as an address"))
