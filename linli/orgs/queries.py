"""Reads of units and the responsibility list, and the one function that names who is responsible."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.places.choices import PlaceLevel
from linli.places.models import Place

from .choices import OwnerLevel, UnitKind
from .models import Matter, MatterAdmission, Unit


def units_for(user: Any, action: str = "view") -> QuerySet[Unit]:
    return Unit.objects.restrict(user, action)


def matters_for(user: Any, action: str = "view") -> QuerySet[Matter]:
    return Matter.objects.restrict(user, action)


@dataclass(frozen=True)
class Responsibility:
    unit: Unit | None
    reason: str
    fallback: bool  # True when the street (or district) took it because no owner applied


def _unit_covering(place: Place, kind: str, department_type: str = "") -> Unit | None:
    """The unit of `kind` whose jurisdiction holds `place` or one of its ancestors, nearest first."""
    lineage_ids = [*place.ancestor_ids, place.pk]
    qs = Unit.objects.filter(kind=kind, is_active=True, jurisdiction__in=lineage_ids)
    if department_type:
        qs = qs.filter(department_type=department_type)
    candidates = list(qs.distinct().prefetch_related("jurisdiction"))
    if not candidates:
        return None
    depth_of = {pk: depth for depth, pk in enumerate(lineage_ids)}

    def nearest(unit: Unit) -> int:
        return max(depth_of.get(p.pk, -1) for p in unit.jurisdiction.all())

    return max(candidates, key=lambda u: (nearest(u), -u.pk))


def department_covering(place: Place, department_type: str) -> Unit | None:
    """The district department of a type whose jurisdiction holds the place."""
    return _unit_covering(place, UnitKind.DISTRICT_DEPARTMENT, department_type)


def _street_fallback(place: Place, reason: str) -> Responsibility:
    street = place.ancestor_at(PlaceLevel.STREET)
    unit = _unit_covering(street, UnitKind.STREET_OFFICE) if street else None
    if unit is None:
        unit = _unit_covering(place, UnitKind.COMMAND_CENTRE)
        return Responsibility(
            unit, reason + _("; no street office covers the place, so the district command takes it"), True
        )
    return Responsibility(unit, reason, True)


def responsible_unit(matter: Matter | None, place: Place) -> Responsibility:
    """Who owns `matter` at `place`, by the responsibility list (DESIGN §3).

    - unlisted, inactive or disputed matters belong to the street (街道兜底);
    - community matters go to the community committee only once admitted (准入), else the street keeps them;
    - district matters go to the department of the listed type covering the place, else the street.
    """
    if matter is None:
        return _street_fallback(place, _("The matter is not on the responsibility list: the street takes it"))
    if not matter.is_active:
        return _street_fallback(place, _("The matter is no longer active on the list: the street takes it"))
    if matter.is_disputed:
        return _street_fallback(place, _("The matter is in dispute: the street takes it until it is settled"))
    if matter.owner_level == OwnerLevel.COMMUNITY:
        if not MatterAdmission.objects.filter(matter=matter).exists():
            return _street_fallback(
                place, _("The matter was never admitted to communities (准入): the street keeps it")
            )
        community = place.ancestor_at(PlaceLevel.COMMUNITY)
        unit = _unit_covering(community, UnitKind.COMMUNITY_COMMITTEE) if community else None
        if unit is not None:
            return Responsibility(unit, _("Community matter, admitted: the community committee handles it"), False)
        return _street_fallback(place, _("No community committee covers the place: the street takes it"))
    if matter.owner_level == OwnerLevel.STREET:
        street = place.ancestor_at(PlaceLevel.STREET)
        unit = _unit_covering(street, UnitKind.STREET_OFFICE) if street else None
        if unit is not None:
            return Responsibility(unit, _("Street matter: the street office handles it"), False)
        return _street_fallback(place, _("No street office covers the place"))
    unit = _unit_covering(place, UnitKind.DISTRICT_DEPARTMENT, matter.department_type)
    if unit is not None:
        return Responsibility(
            unit,
            _("District matter: the %(type)s covering the place handles it")
            % {"type": matter.get_department_type_display()},
            False,
        )
    return _street_fallback(
        place,
        _("No %(type)s covers the place: the street takes it") % {"type": matter.get_department_type_display()},
    )
