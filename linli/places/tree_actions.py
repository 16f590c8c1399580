"""The place tree below the community, edited one place at a time from the place pages (issue 17, item 7).

These wrap `create_place`/`update_place` with the rule of the pages (`can_shape_place_tree`: community staff
keep estates and below, district command also grids) and add retiring: a place is never deleted, because
cases, people's histories and counts keep pointing at it; a retired place is greyed on the pages and left
out of every picker and of address and point resolution. (Kept apart from actions.py, which is the tree's
import and export and is long enough.)
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_registry, can_shape_place_tree
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text

from . import validation
from .actions import create_place, update_place
from .choices import LEVEL_RANK, PlaceLevel
from .models import Place, subtree_q

# How a child's code grows from its parent's: letter, digits and the first number (rooms start at 101).
CODE_STEPS: dict[str, tuple[str, int, int]] = {
    PlaceLevel.GRID: ("", 3, 1),
    PlaceLevel.ESTATE: ("E", 2, 1),
    PlaceLevel.BUILDING: ("B", 2, 1),
    PlaceLevel.BUILDING_UNIT: ("U", 1, 1),
    PlaceLevel.HOUSE: ("H", 3, 101),
}
MAX_REASON = 200


def child_levels(user: Any, parent: Place) -> list[str]:
    """The levels this user may add under `parent` on the place pages, shallowest first."""
    rank = LEVEL_RANK[parent.level]
    return [
        level
        for level in CODE_STEPS
        if LEVEL_RANK[level] > rank and can_shape_place_tree(user, parent, level) and _fits(level, parent)
    ]


def _fits(level: str, parent: Place) -> bool:
    # A grid's code extends a community's 12 digits, so a grid goes under a community and nowhere else.
    return level != PlaceLevel.GRID or parent.level == PlaceLevel.COMMUNITY


def suggest_code(parent: Place, level: str) -> str:
    """The parent's code and the next free number: 甲园小区 E01 → E01B03 after B01 and B02; "" if none fits."""
    if level not in CODE_STEPS:
        return ""
    letter, width, first = CODE_STEPS[level]
    base = (parent.code[:12] if level == PlaceLevel.GRID else parent.code) + letter
    tail = re.compile(rf"^{re.escape(base)}(\d{{{width},}})$")
    taken = [
        int(m.group(1))
        for code in Place.objects.filter(code__startswith=base).values_list("code", flat=True)
        if (m := tail.match(code))
    ]
    number = max(taken, default=first - 1) + 1
    for _attempt in range(100):
        code = f"{base}{number:0{width}d}"
        try:
            validation.check_code(code, level)
        except ValidationError:
            return ""
        if not Place.objects.filter(code=code).exists():
            return code
        number += 1
    return ""


def _require_shape(actor: Any, parent: Place | None, level: str, message: str) -> None:
    if not can_shape_place_tree(actor, parent, level):
        raise PermissionDenied(message)


@transaction.atomic
def add_place(
    actor: Any,
    parent: Place,
    *,
    level: str,
    code: str,
    name: str,
    area: Decimal | str | None = None,
    use: str | None = None,
) -> Place:
    """A child of `parent`; a house gets its area and use in the same transaction (all or nothing)."""
    _require_shape(actor, parent, level, _("You may not add places here"))
    if not parent.is_active:
        raise ValidationError(_("This place has been retired: nothing can be added under it"))
    if not _fits(level, parent):
        raise ValidationError(_("A grid is added under a community"))
    place = create_place(actor, code=(code or "").strip(), name=name, level=level, parent=parent)
    if level == PlaceLevel.HOUSE and (area not in (None, "") or use):
        from linli.people.actions.registry import update_house

        update_house(actor, place, area=area if area not in (None, "") else None, use=use or None)
    return place


@transaction.atomic
def rename_place(actor: Any, place: Place, name: str) -> Place:
    _require_shape(actor, place.parent, place.level, _("You may not change this place"))
    return update_place(actor, place, name=name)


@transaction.atomic
def move_place(actor: Any, place: Place, new_parent: Place) -> Place:
    """Under another parent the user may change; the whole subtree follows (one UPDATE, see _move)."""
    _require_shape(actor, place.parent, place.level, _("You may not change this place"))
    _require_shape(actor, new_parent, place.level, _("You may not move places there"))
    if not new_parent.is_active:
        raise ValidationError(
            _("%(place)s has been retired: nothing can be moved under it"), params={"place": new_parent}
        )
    if new_parent.pk == place.parent_id:
        raise ValidationError(_("The place is already there"))
    validation.check_parent(place.level, place.code, new_parent.level, new_parent.code)
    if not _fits(place.level, new_parent):
        raise ValidationError(_("A grid is added under a community"))
    return update_place(actor, place, parent=new_parent)


def residents_count(place: Place) -> int:
    """People living at or below `place` now: registered there, or current members of a household there."""
    from linli.people.models import HouseholdMember, Person

    members = HouseholdMember.objects.filter(
        subtree_q(place.path, field="household__house__path"), person=OuterRef("pk"), left_on__isnull=True
    )
    return (
        Person.objects.filter(left_on__isnull=True)
        .filter(Q(subtree_q(place.path, field="place__path")) | Q(Exists(members)))
        .count()
    )


@transaction.atomic
def retire_place(actor: Any, place: Place, reason: str) -> Place:
    """Take a place out of use. Refused while a place below it is in use or anyone lives there, so that
    nobody is left registered at a place nobody can pick."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    if not can_edit_registry(actor, place.parent):
        raise PermissionDenied(_("You may not retire this place"))
    if not place.is_active:
        raise ValidationError(_("This place has already been retired"))
    reason = check_plain_text((reason or "").strip())
    if not reason:
        raise ValidationError({"reason": [_("Say why the place is retired")]})
    children = place.children.filter(is_active=True).count()
    if children:
        raise ValidationError(
            _("%(n)d places below it are still in use: retire or move them first"), params={"n": children}
        )
    living = residents_count(place)
    if living:
        raise ValidationError(
            _("%(n)d people live here: record their moving out or move them first"), params={"n": living}
        )
    place.is_active = False
    # updated_at moves with it, which tells the address index (linli.places.queries) to drop the name.
    place.save(update_fields=["is_active", "updated_at"])
    audit.record(
        AuditAction.PLACE_RETIRED, actor=actor, target=place, data={"code": place.code, "reason": reason[:MAX_REASON]}
    )
    return place


@transaction.atomic
def restore_place(actor: Any, place: Place) -> Place:
    """Back in use, under a parent that is itself in use."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    if not can_edit_registry(actor, place.parent):
        raise PermissionDenied(_("You may not change this place"))
    if place.is_active:
        raise ValidationError(_("This place is in use"))
    if place.parent is not None and not place.parent.is_active:
        raise ValidationError(_("Its parent has been retired: restore the parent first"))
    place.is_active = True
    place.save(update_fields=["is_active", "updated_at"])
    audit.record(AuditAction.PLACE_UPDATED, actor=actor, target=place, data={"restored": True})
    return place
