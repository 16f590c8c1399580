"""Becoming a volunteer: a resident's own sign-up (found in the registry by phone, or waiting for the community
to register them), registration by community staff, roles, skills, languages and availability."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import PASSWORD
from linli.accounts.actions import create_user
from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.core.models import AuditEvent
from linli.people.models import Person
from linli.volunteers.actions.volunteers import (
    confirm_applicant,
    register_volunteer,
    sign_up_volunteer,
    update_volunteer,
)
from linli.volunteers.choices import ServiceRole, VolunteerState
from linli.volunteers.models import Skill, Volunteer
from linli.volunteers.queries import RegistryFilters, registry

pytestmark = pytest.mark.django_db


def _volunteer_grants(user: Any) -> list[Grant]:
    return list(Grant.objects.active().filter(user=user, role=Role.VOLUNTEER))


def test_a_resident_found_by_phone_becomes_a_volunteer_with_the_role(town: Any) -> None:
    skill = Skill.objects.get(name="急救")
    volunteer = sign_up_volunteer(
        town.resident,
        roles=[ServiceRole.MEDIATOR, ServiceRole.POLICY_PROMOTER],
        languages=["mandarin", "sign"],
        skills=[skill],
        availability=["5am", "6pm"],
    )
    assert volunteer.state == VolunteerState.ACTIVE
    assert volunteer.person == town.person and volunteer.community == town.community
    assert volunteer.role_list == ["mediator", "policy_promoter"]
    assert volunteer.language_list == ["mandarin", "sign"]
    assert list(volunteer.skills.all()) == [skill]
    assert volunteer.availability == ["5am", "6pm"]
    [grant] = _volunteer_grants(town.resident)
    assert grant.place == town.community
    assert AuditEvent.objects.filter(action="volunteer.registered", target_id=str(volunteer.pk)).exists()
    with pytest.raises(ValidationError):
        sign_up_volunteer(town.resident)


def test_without_a_registry_record_the_sign_up_waits_for_the_community(town: Any, world: Any) -> None:
    stranger = create_user(None, username="newcomer", role=Role.RESIDENT, phone="13912345678")
    with pytest.raises(ValidationError):
        sign_up_volunteer(stranger)  # no name
    with pytest.raises(ValidationError):
        sign_up_volunteer(stranger, name="李新")  # no community
    volunteer = sign_up_volunteer(stranger, name="李新", community=town.community, roles=["civility_model"])
    assert volunteer.state == VolunteerState.PENDING and volunteer.person is None
    assert volunteer.name == "李新"
    assert not _volunteer_grants(stranger)  # the role comes with the community's confirmation
    # The community registers the person through linli.people's registration action and confirms.
    confirmed = confirm_applicant(town.keeper, volunteer, place=town.building, residency="resident")
    assert confirmed.state == VolunteerState.ACTIVE and confirmed.applicant_name == ""
    person = Person.objects.get(pk=confirmed.person_id or 0)
    assert person.name == "李新" and person.phone_digest == stranger.phone_digest
    assert [g.place for g in _volunteer_grants(stranger)] == [town.community]
    outsider = world.outsiders[Role.COMMUNITY_WORKER]
    with pytest.raises(PermissionDenied):
        confirm_applicant(outsider, volunteer, place=town.building, residency="resident")


def test_staff_do_not_sign_themselves_up_and_residents_do_not_register_others(town: Any) -> None:
    with pytest.raises(PermissionDenied):
        sign_up_volunteer(town.keeper)
    with pytest.raises(PermissionDenied):
        register_volunteer(town.resident, town.person)


def test_community_staff_register_a_person_and_link_their_account(town: Any, world: Any) -> None:
    volunteer = register_volunteer(town.keeper, town.person, roles=["opinion_collector"], languages=["cantonese"])
    assert volunteer.user == town.resident and volunteer.registered_by == town.keeper
    assert [g.place for g in _volunteer_grants(town.resident)] == [town.community]
    with pytest.raises(ValidationError):
        register_volunteer(town.keeper, town.person)
    with pytest.raises(PermissionDenied):
        register_volunteer(world.outsiders[Role.COMMUNITY_WORKER], town.person)
    # The resident signing up later finds the record already linked.
    with pytest.raises(ValidationError):
        sign_up_volunteer(town.resident)


def test_profile_changes_and_unknown_choices(volunteer: Any, town: Any, world: Any) -> None:
    update_volunteer(town.resident, volunteer, roles=["activity_organiser"], availability=["0ev"])
    volunteer.refresh_from_db()
    assert volunteer.role_list == ["activity_organiser"] and volunteer.availability == ["0ev"]
    with pytest.raises(ValidationError):
        update_volunteer(town.keeper, volunteer, roles=["dragon_tamer"])
    with pytest.raises(ValidationError):
        update_volunteer(town.keeper, volunteer, availability=["9xx"])
    with pytest.raises(PermissionDenied):
        update_volunteer(world.outsiders[Role.RESIDENT], volunteer, note="x")


def test_registry_filters_by_role_skill_party_and_expiring_certificate(volunteer: Any, town: Any) -> None:
    import datetime

    from django.utils import timezone

    from linli.people.actions.records import record_party_membership
    from linli.volunteers.actions.volunteers import record_certificate

    skill = Skill.objects.get(name="理发")
    update_volunteer(town.keeper, volunteer, roles=["mediator"], skills=[skill])
    staff = town.keeper
    assert list(registry(staff, RegistryFilters(role="mediator"))) == [volunteer]
    assert not registry(staff, RegistryFilters(role="policy_promoter")).exists()
    assert list(registry(staff, RegistryFilters(skill=skill.pk))) == [volunteer]
    assert not registry(staff, RegistryFilters(party=True)).exists()
    record_party_membership(staff, town.person, organisation="某机关党支部", reported_on=timezone.localdate())
    assert list(registry(staff, RegistryFilters(party=True))) == [volunteer]
    assert not registry(staff, RegistryFilters(expiring=True)).exists()
    record_certificate(
        staff, volunteer, kind="first_aid", expires_on=timezone.localdate() + datetime.timedelta(days=10)
    )
    assert list(registry(staff, RegistryFilters(expiring=True))) == [volunteer]


def test_sign_up_page(town: Any, client: Any) -> None:
    client.force_login(town.resident)
    page = client.get("/volunteers/join/")
    assert page.status_code == 200
    response = client.post("/volunteers/join/", {"roles": ["mediator"], "availability": ["1am"]})
    assert response.status_code == 302
    assert Volunteer.objects.get(user=town.resident).role_list == ["mediator"]
    assert client.get("/volunteers/mine/").status_code == 200
    # Staff log in by password and get no sign-up form.
    client.force_login(town.keeper)
    assert client.get("/volunteers/join/").status_code == 403
    assert PASSWORD
