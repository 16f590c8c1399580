"""What the registry's cards show: one context builder per card, shared by the page views and by the action
view that shows a card again with a refused form open."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from linli.accounts.predicates import (
    can_edit_person,
    can_edit_registry,
    can_give_subject_copy,
    can_register_people,
    can_reveal_person,
)
from linli.places.choices import PlaceLevel
from linli.places.models import Place

from . import queries_pages as q
from .choices import Relation
from .forms import RevealForm
from .models import Household, Person
from .page_actions import HOUSE_ACTIONS, HOUSEHOLD_ACTIONS, PERSON_ACTIONS, Bound, offers
from .presenting import person_fields


def person_context(
    user: Any,
    person: Person,
    *,
    bound: Bound | None = None,
    revealed: dict[str, str] | None = None,
    reveal_form: RevealForm | None = None,
) -> dict[str, Any]:
    person.shown = person_fields(person, revealed)  # type: ignore[attr-defined]
    return {
        "person": person,
        "card": q.person_card(user, person),
        "lineage": q.lineage(person.place),
        "at_house": person.place.level == PlaceLevel.HOUSE,
        "today": timezone.localdate(),
        **identity_context(user, person, revealed, reveal_form),
        "may_copy": can_give_subject_copy(user, person),
        "can_edit": can_edit_person(user, person),
        "offers": offers(PERSON_ACTIONS, user, person, bound),
        "bound": bound,
        "act_name": "people:person_act",
        "subject_pk": person.pk,
    }


def identity_context(
    user: Any, person: Person, revealed: dict[str, str] | None, reveal_form: RevealForm | None
) -> dict[str, Any]:
    """The identity block (`people/_identity.html`), which the reveal swaps in place."""
    person.shown = person_fields(person, revealed)  # type: ignore[attr-defined]
    may = can_reveal_person(user, person) and bool(person.id_number or person.phone) and not revealed
    return {"person": person, "revealed": bool(revealed), "may_reveal": may, "reveal_form": reveal_form or RevealForm()}


def household_context(user: Any, household: Household, *, bound: Bound | None = None) -> dict[str, Any]:
    members = q.members_of(user, household)
    current = [m for m in members if m.left_on is None]
    return {
        "household": household,
        "house": household.house,
        "lineage": q.lineage(household.house),
        "current": current,
        "past": [m for m in members if m.left_on is not None],
        "head": next((m for m in current if m.relation == Relation.HEAD), None),
        "can_edit": can_edit_registry(user, household.house),
        "offers": offers(HOUSEHOLD_ACTIONS, user, household, bound),
        "bound": bound,
        "act_name": "people:household_act",
        "subject_pk": household.pk,
    }


def house_context(user: Any, place: Place, *, bound: Bound | None = None) -> dict[str, Any]:
    can_edit = can_edit_registry(user, place)
    return {
        "place": place,
        "address": q.address(place),
        "lineage": q.lineage(place),
        "card": q.house_card(user, place),
        "can_edit": can_edit,
        "may_register": can_edit and can_register_people(user),
        "offers": offers(HOUSE_ACTIONS, user, place, bound),
        "bound": bound,
        "act_name": "people:house_act",
        "subject_pk": place.pk,
    }
