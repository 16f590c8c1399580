"""Every write to persons, households and houses. Each action is atomic, checks its predicate, locks what it
changes, writes one audit event (the registry's timeline: the global audit chain, which auditors read) and
never deletes history: leaving ends a membership, a move opens a new one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_person, can_edit_registry
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.validation import check_plain_text
from linli.places.choices import LEVEL_RANK, PlaceLevel
from linli.places.models import Place

from ..choices import HouseholdKind, HouseUse, Relation
from ..models import House, Household, HouseholdMember, Ownership, Person, Tenancy
from ..validation import PersonData, check_person, choice, parse_date

PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "phone",
    "ethnicity",
    "residency",
    "arrived_on",
    "left_on",
)
# Fields whose old and new values never enter the audit trail in the clear: only that they changed.
PERSONAL_FIELDS = frozenset({"id_number", "phone"})


def _check_home(place: Place) -> None:
    if LEVEL_RANK[place.level] < LEVEL_RANK[PlaceLevel.COMMUNITY]:
        raise ValidationError(_("A person lives in a community or below it: pick the house, or at least the community"))
    if not place.is_active:
        raise ValidationError(_("This place has been retired"))


def _refuse_duplicate(data: PersonData, place: Place, exclude: int | None = None) -> None:
    """The same identity number twice, or the same name and birth date in the same house, is one person."""
    from linli.core.crypto import digest

    others = Person.objects.exclude(pk=exclude) if exclude else Person.objects.all()
    if data.id_number and others.filter(id_digest=digest(data.id_number)).exists():
        raise ValidationError({"id_number": [_("A person with this identity number is already registered")]})
    if data.birth_date and others.filter(name=data.name, birth_date=data.birth_date, place=place).exists():
        raise ValidationError({"name": [_("A person with this name and birth date is already registered here")]})


@transaction.atomic
def register_person(
    actor: Any, *, place: Place, note: str = "", marked_sensitive: bool = False, **fields: Any
) -> Person:
    """Register a person living at `place` (a house, or the community when no house is known)."""
    if not can_edit_registry(actor, place):
        raise PermissionDenied(_("You may not register people here"))
    _check_home(place)
    data = check_person(fields)
    _refuse_duplicate(data, place)
    person = Person(place=place, note=check_plain_text(note), marked_sensitive=marked_sensitive, **vars(data))
    person.save()
    audit.record(
        AuditAction.PERSON_REGISTERED,
        actor=actor,
        target=person,
        data={"place": place.code, "residency": person.residency},
    )
    _link_cases_after_commit(person)
    return person


def _link_cases_after_commit(person: Person, previous_phone_digest: str | None = None) -> None:
    """The person's open requests (and those on their previous number) get linked again (linli.people.linking)
    once the change is committed; a failure there is logged and never undoes the change."""
    from ..linking import link_person_cases

    transaction.on_commit(lambda: link_person_cases(person.pk, previous_phone_digest), robust=True)


def _lock(person: Person) -> Person:
    return Person.objects.select_for_update().get(pk=person.pk)


@transaction.atomic
def update_person(actor: Any, person: Person, **changes: Any) -> Person:
    """Correct a person's fields; the audit event names the changed fields, never a personal number."""
    person = _lock(person)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change this person"))
    previous_phone_digest = person.phone_digest
    current = {f: getattr(person, f) for f in PERSON_FIELDS}
    merged = {**current, **{k: v for k, v in changes.items() if k in PERSON_FIELDS}}
    data = check_person(merged)
    _refuse_duplicate(data, person.place, exclude=person.pk)
    changed = [f for f in PERSON_FIELDS if getattr(data, f) != current[f]]
    for field in PERSON_FIELDS:
        setattr(person, field, getattr(data, field))
    if "note" in changes:
        person.note = check_plain_text(str(changes["note"] or ""))
        changed.append("note")
    if "marked_sensitive" in changes:
        person.marked_sensitive = bool(changes["marked_sensitive"])
        changed.append("marked_sensitive")
    person.save()
    shown = {f: str(getattr(person, f)) for f in changed if f not in PERSONAL_FIELDS and f != "note"}
    audit.record(AuditAction.PERSON_UPDATED, actor=actor, target=person, data={"fields": changed, "now": shown})
    if {"phone", "left_on"} & set(changed):
        _link_cases_after_commit(person, previous_phone_digest)
    return person


def _end_membership(person: Person, day: datetime.date) -> HouseholdMember | None:
    current = HouseholdMember.objects.select_for_update().filter(person=person, left_on__isnull=True).first()
    if current is not None:
        current.left_on = max(day, current.joined_on or day)
        current.save(update_fields=["left_on"])
    return current


@transaction.atomic
def move_person(
    actor: Any,
    person: Person,
    *,
    household: Household | None = None,
    place: Place | None = None,
    relation: str = Relation.OTHER_RELATIVE,
    on: datetime.date | None = None,
) -> Person:
    """Move a person into a household (or to a place without one): the old membership ends, a new one starts."""
    person = _lock(person)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change this person"))
    day = on or timezone.localdate()
    target = household.house if household is not None else place
    if target is None:
        raise ValidationError(_("Say where the person moves to"))
    _check_home(target)
    if not can_edit_registry(actor, target):
        raise PermissionDenied(_("You may not register people there"))
    relation = choice("relation", relation, required=True)
    if household is not None and relation == Relation.HEAD and _head(household) not in (None, person.pk):
        raise ValidationError(_("This household already has a head"))
    before = _end_membership(person, day)
    if household is not None:
        HouseholdMember.objects.create(household=household, person=person, relation=relation, joined_on=day)
    old_place = person.place
    person.place = target
    person.left_on = None
    person.save(update_fields=["place", "left_on", "updated_at"])
    audit.record(
        AuditAction.PERSON_MOVED,
        actor=actor,
        target=person,
        data={
            "from": old_place.code,
            "to": target.code,
            "household": household.pk if household else None,
            "left_household": before.household_id if before else None,
        },
    )
    return person


def _head(household: Household) -> int | None:
    return (
        HouseholdMember.objects.filter(household=household, relation=Relation.HEAD, left_on__isnull=True)
        .values_list("person_id", flat=True)
        .first()
    )


@transaction.atomic
def person_left(actor: Any, person: Person, *, on: datetime.date | None = None, reason: str = "") -> Person:
    """The person left the community (moved away, died): memberships, tenancies and tags end; nothing is deleted."""
    person = _lock(person)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change this person"))
    day = on or timezone.localdate()
    if day > timezone.localdate() or (person.arrived_on and day < person.arrived_on):
        raise ValidationError(_("The leaving date is impossible"))
    if person.left_on is not None:
        raise ValidationError(_("This person has already left"))
    _end_membership(person, day)
    Tenancy.objects.filter(person=person, until__isnull=True).update(until=day)
    person.care_tags.filter(valid_to__isnull=True).update(valid_to=day)
    person.left_on = day
    person.next_visit_due = None
    person.visit_every_days = None
    person.save(update_fields=["left_on", "next_visit_due", "visit_every_days", "updated_at"])
    audit.record(
        AuditAction.PERSON_LEFT,
        actor=actor,
        target=person,
        data={"on": day.isoformat(), "reason": check_plain_text(reason)[:200]},
    )
    return person


@transaction.atomic
def create_household(
    actor: Any, *, house: Place, number: str = "", kind: str = HouseholdKind.FAMILY, formed_on: Any = None
) -> Household:
    if house.level != PlaceLevel.HOUSE:
        raise ValidationError(_("A household is registered on a house"))
    if not can_edit_registry(actor, house):
        raise PermissionDenied(_("You may not register households here"))
    number = check_plain_text((number or "").strip())[:32]
    if kind not in HouseholdKind.values:
        raise ValidationError(_("Unknown household kind"))
    household = Household.objects.create(house=house, number=number, kind=kind, formed_on=parse_date(formed_on))
    audit.record(AuditAction.HOUSE_UPDATED, actor=actor, target=house, data={"household_created": household.pk})
    return household


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: [_("“%(value)s” is not a number") % {"value": str(value)[:20]}]}) from None
    if not low <= number <= high:
        raise ValidationError({field: [_("Out of range")]})
    return number.quantize(Decimal("0.01")) if field == "area" else number


@transaction.atomic
def update_house(actor: Any, place: Place, *, area: Any = None, use: str | None = None) -> House:
    if place.level != PlaceLevel.HOUSE:
        raise ValidationError(_("Only a house has an area and a use"))
    if not can_edit_registry(actor, place):
        raise PermissionDenied(_("You may not change this house"))
    house, _created = House.objects.select_for_update().get_or_create(place=place)
    before = {"area": str(house.area), "use": house.use}
    if area is not None:
        house.area = _decimal(area, "area", low=Decimal("1"), high=Decimal("100000"))
    if use is not None:
        if use not in HouseUse.values:
            raise ValidationError({"use": [_("Unknown use")]})
        house.use = use
    house.save()
    audit.record(
        AuditAction.HOUSE_UPDATED,
        actor=actor,
        target=place,
        data={"before": before, "after": {"area": str(house.area), "use": house.use}},
    )
    return house


@transaction.atomic
def add_owner(
    actor: Any,
    place: Place,
    *,
    person: Person | None = None,
    organisation: str = "",
    share: Any = 1,
    area: Any = None,
    certificate: str = "",
    since: Any = None,
) -> Ownership:
    """An owner of a house: a registered person, or an organisation (the developer for unsold parts). The
    shares of the owners in force never add up to more than the whole."""
    if place.level != PlaceLevel.HOUSE:
        raise ValidationError(_("Owners are recorded on a house"))
    if not can_edit_registry(actor, place):
        raise PermissionDenied(_("You may not change this house"))
    Place.objects.select_for_update().get(pk=place.pk)
    organisation = check_plain_text((organisation or "").strip())[:128]
    if (person is None) == (not organisation):
        raise ValidationError(_("An owner is either a registered person or an organisation"))
    share_value = _decimal(share, "share", low=Decimal("0.0001"), high=Decimal("1")) or Decimal(1)
    held = sum(Ownership.objects.filter(house=place, until__isnull=True).values_list("share", flat=True), Decimal(0))
    if held + share_value > 1:
        raise ValidationError({"share": [_("The owners' shares would add up to more than the whole house")]})
    ownership = Ownership.objects.create(
        house=place,
        person=person,
        organisation=organisation,
        share=share_value,
        area=_decimal(area, "area", low=Decimal("0.01"), high=Decimal("100000")),
        certificate=check_plain_text((certificate or "").strip())[:64],
        since=parse_date(since),
    )
    audit.record(
        AuditAction.OWNERSHIP_CHANGED,
        actor=actor,
        target=place,
        data={"owner_added": ownership.pk, "person": person.pk if person else None, "share": str(share_value)},
    )
    return ownership


@transaction.atomic
def end_ownership(actor: Any, ownership: Ownership, *, on: Any = None) -> Ownership:
    ownership = Ownership.objects.select_for_update().get(pk=ownership.pk)
    if not can_edit_registry(actor, ownership.house):
        raise PermissionDenied(_("You may not change this house"))
    if ownership.until is not None:
        raise ValidationError(_("This ownership has already ended"))
    ownership.until = parse_date(on) or timezone.localdate()
    ownership.save(update_fields=["until"])
    audit.record(AuditAction.OWNERSHIP_CHANGED, actor=actor, target=ownership.house, data={"owner_ended": ownership.pk})
    return ownership


@transaction.atomic
def add_tenant(actor: Any, place: Place, *, person: Person, since: Any = None) -> Tenancy:
    if place.level != PlaceLevel.HOUSE:
        raise ValidationError(_("Tenants are recorded on a house"))
    if not can_edit_registry(actor, place):
        raise PermissionDenied(_("You may not change this house"))
    tenancy = Tenancy.objects.create(house=place, person=person, since=parse_date(since))
    audit.record(AuditAction.OWNERSHIP_CHANGED, actor=actor, target=place, data={"tenant_added": tenancy.pk})
    return tenancy


@transaction.atomic
def end_tenancy(actor: Any, tenancy: Tenancy, *, on: Any = None) -> Tenancy:
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    if not can_edit_registry(actor, tenancy.house):
        raise PermissionDenied(_("You may not change this house"))
    if tenancy.until is not None:
        raise ValidationError(_("This tenancy has already ended"))
    tenancy.until = parse_date(on) or timezone.localdate()
    tenancy.save(update_fields=["until"])
    audit.record(AuditAction.OWNERSHIP_CHANGED, actor=actor, target=tenancy.house, data={"tenant_ended": tenancy.pk})
    return tenancy
