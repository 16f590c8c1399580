"""The actions the registry's cards offer: for each, the predicate that allows it, the form it shows and the
one call into linli.people.actions that does it. A card offers an action only when its predicate allows it;
the action asks again under its lock, so a stale page is refused, never obeyed.

Row actions (ending a tag, a consent, an ownership …) name their object; it is looked up through the
subject's own reads, so an id from elsewhere is a 404, not a write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.accounts.predicates import can_edit_person, can_edit_registry

from . import forms
from . import queries_pages as q
from .actions import care, records, registry
from .choices import Relation
from .models import CareTag, Consent, House, Household, HouseholdMember, Ownership, PartyMembership, Person, Tenancy

Maker = Callable[[Any, Any, Any], django_forms.Form]
Runner = Callable[[Any, Any, dict[str, Any], Any], Any]  # a str it returns is where to go next


@dataclass(frozen=True)
class PageAction:
    name: str
    label: Any
    make: Maker
    run: Runner
    done: Any
    may: Callable[[Any, Any], bool]
    targets: Callable[[Any, Any], QuerySet[Any]] | None = None


def _plain(form_class: type[django_forms.Form]) -> Maker:
    return lambda user, subject, data: form_class(data)


def one_person(user: Any, text: str, field: str) -> Person:
    found = q.person_by_text(user, text, "change")
    if not found:
        raise ValidationError({field: [gettext("No registered person in your area matches")]})
    if len(found) > 1:
        raise ValidationError({field: [gettext("Several people match: type the phone or identity number")]})
    return found[0]


def one_place(user: Any, text: str, field: str) -> Any:
    found = q.places_matching(user, text, "change")
    if not found:
        raise ValidationError({field: [gettext("No house in your area matches")]})
    if len(found) > 1:
        names = "、".join(q.address(p) for p in found[:5])
        raise ValidationError({field: [gettext("Several houses match (%(names)s): type the code") % {"names": names}]})
    return found[0]


def one_household(user: Any, house: Any, text: str, field: str) -> Household | None:
    if not (text or "").strip():
        return None
    found = q.household_at(user, house, text, "change")
    if found is None:
        raise ValidationError({field: [gettext("No household with this number at that house")]})
    return found


# --------------------------------------------------------------------------------------------------
# On a person


def _edit_form(user: Any, person: Person, data: Any) -> django_forms.Form:
    return forms.EditForm(data, person=person)


def _run_edit(user: Any, person: Person, d: dict[str, Any], obj: Any) -> None:
    changes = {f: d[f] for f in ("id_type", "gender", "ethnicity", "residency", "arrived_on", "note")}
    changes["marked_sensitive"] = d["marked_sensitive"]
    for field in ("name", "id_number", "phone", "birth_date"):
        if d.get(field):
            changes[field] = d[field]
    if d.get("clear_phone"):
        changes["phone"] = ""
    registry.update_person(user, person, **changes)
    return None


def _run_move(user: Any, person: Person, d: dict[str, Any], obj: Any) -> None:
    place = one_place(user, d["to"], "to")
    household = one_household(user, place, d["household"], "household")
    relation = d["relation"] or Relation.OTHER_RELATIVE
    registry.move_person(user, person, household=household, place=place, relation=relation, on=d["on"])
    return None


def _run_left(user: Any, person: Person, d: dict[str, Any], obj: Any) -> None:
    registry.person_left(user, person, on=d["on"], reason=d["reason"])
    return None


def _run_tag(user: Any, person: Person, d: dict[str, Any], obj: Any) -> None:
    care.add_tag(user, person, **d)
    return None


def _person_part(model: type[Any], **open_only: Any) -> Callable[[Any, Any], QuerySet[Any]]:
    return lambda user, person: model.objects.restrict(user, "view").filter(person=person, **open_only)


PERSON_ACTIONS: tuple[PageAction, ...] = (
    PageAction("edit", _("Correct the details"), _edit_form, _run_edit, _("Details saved"), can_edit_person),
    PageAction(
        "add_tag",
        _("Add a care tag"),
        _plain(forms.TagForm),
        _run_tag,
        _("Care tag added"),
        can_edit_person,
    ),
    PageAction(
        "move",
        _("Move to another house or household"),
        _plain(forms.MoveForm),
        _run_move,
        _("Move recorded"),
        can_edit_person,
    ),
    PageAction(
        "consent",
        _("Record a consent"),
        _plain(forms.ConsentForm),
        lambda user, person, d, obj: records.record_consent(user, person, **d),
        _("Consent recorded"),
        can_edit_person,
    ),
    PageAction(
        "party",
        _("Record party membership"),
        _plain(forms.PartyForm),
        lambda user, person, d, obj: records.record_party_membership(user, person, **d),
        _("Party membership recorded"),
        can_edit_person,
    ),
    PageAction("left", _("Mark as left"), _plain(forms.LeftForm), _run_left, _("Marked as left"), can_edit_person),
    PageAction(
        "end_tag",
        _("End"),
        _plain(forms.DateForm),
        lambda user, person, d, tag: care.end_tag(user, tag, on=d["on"]),
        _("Care tag ended"),
        can_edit_person,
        _person_part(CareTag, valid_to__isnull=True),
    ),
    PageAction(
        "withdraw_consent",
        _("Withdraw"),
        _plain(forms.DateForm),
        lambda user, person, d, consent: records.withdraw_consent(user, consent, on=d["on"]),
        _("Consent withdrawn"),
        can_edit_person,
        _person_part(Consent, withdrawn_on__isnull=True),
    ),
    PageAction(
        "end_party",
        _("End"),
        _plain(forms.DateForm),
        lambda user, person, d, row: records.end_party_membership(user, row, on=d["on"]),
        _("Party membership ended"),
        can_edit_person,
        _person_part(PartyMembership, ended_on__isnull=True),
    ),
)


# --------------------------------------------------------------------------------------------------
# On a household


def _household_editor(user: Any, household: Household) -> bool:
    return can_edit_registry(user, household.house)


def _run_add_member(user: Any, household: Household, d: dict[str, Any], obj: Any) -> None:
    person = one_person(user, d["person"], "person")
    registry.move_person(user, person, household=household, relation=d["relation"], on=d["on"])
    return None


def _run_member_leaves(user: Any, household: Household, d: dict[str, Any], member: HouseholdMember) -> None:
    # Leaving the household, not the community: the person stays registered where they live.
    registry.move_person(user, member.person, place=member.person.place, on=d["on"])
    return None


HOUSEHOLD_ACTIONS: tuple[PageAction, ...] = (
    PageAction(
        "add_member",
        _("Add a registered person"),
        _plain(forms.MemberForm),
        _run_add_member,
        _("Member added"),
        _household_editor,
    ),
    PageAction(
        "member_leaves",
        _("Leaves the household"),
        _plain(forms.DateForm),
        _run_member_leaves,
        _("Member left the household"),
        _household_editor,
        lambda user, household: (
            HouseholdMember.objects.restrict(user, "view")
            .filter(household=household, left_on__isnull=True)
            .select_related("person__place")
        ),
    ),
)


# --------------------------------------------------------------------------------------------------
# On a house


def _house_form(user: Any, place: Any, data: Any) -> django_forms.Form:
    house = House.objects.restrict(user).filter(place=place).first()
    return forms.HouseForm(data, initial={"area": house.area, "use": house.use} if house else None)


def _run_house(user: Any, place: Any, d: dict[str, Any], obj: Any) -> None:
    area = d["area"] if d["area"] is not None else ""
    registry.update_house(user, place, area=area, use=d["use"])
    return None


def _run_owner(user: Any, place: Any, d: dict[str, Any], obj: Any) -> None:
    person = one_person(user, d["owner"], "owner") if d["owner"] else None
    share = d["share"] if d["share"] is not None else 1
    registry.add_owner(
        user,
        place,
        person=person,
        organisation=d["organisation"],
        share=share,
        area=d["area"],
        certificate=d["certificate"],
        since=d["since"],
    )
    return None


def _run_tenant(user: Any, place: Any, d: dict[str, Any], obj: Any) -> None:
    registry.add_tenant(user, place, person=one_person(user, d["tenant"], "tenant"), since=d["since"])
    return None


def _run_household(user: Any, place: Any, d: dict[str, Any], obj: Any) -> str:
    household = registry.create_household(user, house=place, **d)
    return reverse("people:household", args=[household.pk])


def _at_house(model: type[Any], **open_only: Any) -> Callable[[Any, Any], QuerySet[Any]]:
    return lambda user, place: model.objects.restrict(user, "view").filter(house=place, **open_only)


HOUSE_ACTIONS: tuple[PageAction, ...] = (
    PageAction("house", _("Area and use"), _house_form, _run_house, _("House saved"), can_edit_registry),
    PageAction("owner", _("Add an owner"), _plain(forms.OwnerForm), _run_owner, _("Owner added"), can_edit_registry),
    PageAction(
        "tenant", _("Add a tenant"), _plain(forms.TenantForm), _run_tenant, _("Tenant added"), can_edit_registry
    ),
    PageAction(
        "household",
        _("Register a household here"),
        _plain(forms.HouseholdForm),
        _run_household,
        _("Household registered"),
        can_edit_registry,
    ),
    PageAction(
        "end_owner",
        _("End"),
        _plain(forms.DateForm),
        lambda user, place, d, row: registry.end_ownership(user, row, on=d["on"]),
        _("Ownership ended"),
        can_edit_registry,
        _at_house(Ownership, until__isnull=True),
    ),
    PageAction(
        "end_tenant",
        _("End"),
        _plain(forms.DateForm),
        lambda user, place, d, row: registry.end_tenancy(user, row, on=d["on"]),
        _("Tenancy ended"),
        can_edit_registry,
        _at_house(Tenancy, until__isnull=True),
    ),
)


@dataclass
class Bound:
    """A form that came back with errors, shown open where it was."""

    name: str
    form: django_forms.Form
    obj_pk: int | None = None


@dataclass
class Offer:
    action: PageAction
    form: django_forms.Form
    open: bool


def build(action: PageAction, user: Any, subject: Any, data: Any) -> django_forms.Form:
    """The action's form, its element ids named after the action: a card holds several forms with the
    same fields (dates, reasons), and each label must point at its own input."""
    form = action.make(user, subject, data)
    form.auto_id = f"{action.name}-%s"
    return form


def offers(actions: tuple[PageAction, ...], user: Any, subject: Any, bound: Bound | None) -> list[Offer]:
    """The forms a card shows (those without a row object), each fresh or as it came back."""
    shown = []
    for action in actions:
        if action.targets is not None or not action.may(user, subject):
            continue
        if bound is not None and bound.name == action.name:
            shown.append(Offer(action, bound.form, True))
        else:
            shown.append(Offer(action, build(action, user, subject, None), False))
    return shown
