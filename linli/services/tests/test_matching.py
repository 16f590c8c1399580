"""Matching a service request to providers, the assignee directory's part, and assignment through the
cases' own dispatch action."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from linli.accounts.choices import Role
from linli.cases import actions as case_actions
from linli.cases.choices import CaseState
from linli.cases.models import Case, CaseAssignment
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.orgs.directory import may_assign, routable_units
from linli.services.actions import assign_to_provider
from linli.services.matching import is_service_request, match_providers
from linli.services.models import ServiceOffer

from .world import COMMUNITY_B, make_catalogue, service_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat(world: Any) -> Any:
    return make_catalogue(world)


def test_matches_by_place_served_kind_and_accepting(world: Any, cat: Any) -> None:
    case = service_case(world, cat.matter)
    offers = [m.offer for m in match_providers(case)]
    assert offers == [cat.near, cat.street]  # community A's offer, then street A's; not B's, not repair
    cat.near.accepting = False
    cat.near.save()
    assert [m.offer for m in match_providers(case)] == [cat.street]
    cat.wide.is_active = False
    cat.wide.save()
    assert match_providers(case) == []


def test_other_place_and_non_service_cases(world: Any, cat: Any) -> None:
    at_b = service_case(world, cat.matter, code=COMMUNITY_B)
    assert [m.offer for m in match_providers(at_b)] == [cat.far]
    plain = service_case(world, cat.other_matter)
    assert not is_service_request(plain) and match_providers(plain) == []
    cat.cleaning.is_active = False
    cat.cleaning.save()
    assert not is_service_request(at_b) and match_providers(at_b) == []


def _rated(world: Any, cat: Any, unit: Any, rating: str) -> None:
    past = service_case(world, cat.matter, title=f"往期{rating}")
    Case.objects.filter(pk=past.pk).update(lead_unit=unit, rating=rating)


def test_ranking_nearest_first_then_ratings_with_reasons(world: Any, cat: Any) -> None:
    case = service_case(world, cat.matter)
    # The street-wide provider has a satisfied record; the community one still comes first (nearer).
    _rated(world, cat, cat.wide, "satisfied")
    first, second = match_providers(case)
    assert first.offer == cat.near and first.steps_away < second.steps_away
    assert "甲一社区居委会" in first.reasons[0] and "家政" in first.reasons[1]
    assert "1" in second.reasons[2]
    # Equal distance: the better rated goes first.
    cat.near.places.set([world.places["110101001000"]])
    _rated(world, cat, cat.near.unit, "unsatisfied")
    assert [m.offer for m in match_providers(case)] == [cat.street, cat.near]


def test_directory_opens_matched_providers_for_service_requests_only(world: Any, cat: Any) -> None:
    street = world.users[Role.STREET_DISPATCHER]
    case = service_case(world, cat.matter)
    plain = service_case(world, cat.other_matter)
    # The district-wide provider is not inside street A: unreachable by jurisdiction, reachable by its offer.
    assert not may_assign(street, cat.wide, place=plain.place, service_of=plain.matter)
    assert may_assign(street, cat.wide, place=case.place, service_of=case.matter)
    # A provider with no matching offer is not opened by a service request (provider_b serves B only).
    assert not may_assign(street, world.units["provider_b"], place=case.place, service_of=case.matter)
    # Street B's dispatcher does not reach street A's request, matched providers or not.
    assert not may_assign(world.outsiders[Role.STREET_DISPATCHER], cat.wide, place=case.place, service_of=case.matter)
    # The system never routes to a provider by itself.
    assert not routable_units(case.place).filter(kind="service_provider").exists()
    with pytest.raises(ValidationError):
        case_actions.dispatch_case(street, plain, unit=cat.wide)


def test_assign_through_the_cases_dispatch(world: Any, cat: Any) -> None:
    street = world.users[Role.STREET_DISPATCHER]
    case = service_case(world, cat.matter)
    case = assign_to_provider(street, case, cat.street)
    assert case.state == CaseState.DISPATCHED and case.lead_unit_id == cat.wide.pk
    assert CaseAssignment.objects.filter(case=case, unit=cat.wide, ended_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action=AuditAction.SERVICE_MATCHED, target_id=str(case.pk)).exists()
    with pytest.raises(ValidationError):  # B's offer is not matched to a request in A
        assign_to_provider(street, case, cat.far)


def test_provider_accepts_answers_and_is_rated(world: Any, cat: Any) -> None:
    case = assign_to_provider(world.users[Role.STREET_DISPATCHER], service_case(world, cat.matter), cat.street)
    case = case_actions.accept(cat.wide_user, case)
    case = case_actions.resolve(cat.wide_user, case, answer="已上门保洁，老人满意")
    case = case_actions.rate(world.users[Role.RESIDENT], case, rating="satisfied", resolved=True)
    assert case.rating == "satisfied"
    second = service_case(world, cat.matter, title="再次保洁")
    ranked = {m.offer.pk: m for m in match_providers(second)}
    assert ranked[cat.street.pk].rated == 1 and ranked[cat.street.pk].satisfied == 1


def test_provider_cannot_act_on_an_unmatched_request(world: Any, cat: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from linli.accounts.scopes import can

    mine = assign_to_provider(world.users[Role.STREET_DISPATCHER], service_case(world, cat.matter), cat.street)
    other = service_case(world, cat.matter, title="另一户保洁")
    assert can(cat.wide_user, "view", mine) and not can(cat.wide_user, "view", other)
    with pytest.raises(PermissionDenied):
        case_actions.accept(cat.wide_user, other)


def test_demo_catalogue_is_idempotent_and_matches(world: Any) -> None:
    from linli.orgs.models import Unit
    from linli.services.demo import build_catalogue

    for n in range(3):
        Unit.objects.create(code=f"U-V-0{n + 1}", name=f"演示服务商{n}", kind="service_provider")
    assert build_catalogue() > 0 and build_catalogue() == 0
    offer = ServiceOffer.objects.filter(accepting=True).prefetch_related("places").first()
    assert offer is not None
    place = offer.places.order_by("-path").first()
    matter = offer.kind.matters.first()
    assert matter is not None and place is not None
    case = service_case(world, matter, code=place.code)
    assert offer.pk in {m.offer.pk for m in match_providers(case)}
