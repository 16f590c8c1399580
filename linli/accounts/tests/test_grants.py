"""Grant actions and the grants page: who may give and end roles, and what is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import SecondFactorClient
from linli.accounts.actions import create_user, update_profile
from linli.accounts.choices import Role
from linli.accounts.grant_actions import add_grant, end_grant
from linli.accounts.models import Grant, User
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

GRID_B = "110101002001001"


@pytest.mark.django_db
def test_nobody_below_district_command_manages_accounts_not_even_their_own(world):
    roles = (Role.STREET_DISPATCHER, Role.COMMUNITY_SECRETARY, Role.DEPARTMENT_HANDLER, Role.AUDITOR)
    for role in roles:
        actor = world.users[role]
        with pytest.raises(PermissionDenied):
            add_grant(actor, actor, role=Role.DISTRICT_COMMAND, place=world.place("110101000000"))
        with pytest.raises(PermissionDenied):
            add_grant(actor, world.users[Role.GRID_WORKER], role=Role.GRID_WORKER, place=world.place(GRID_B))
        with pytest.raises(PermissionDenied):
            create_user(actor, username=f"new_{role}", role=Role.GRID_WORKER, places=[world.place(GRID_B)])
        with pytest.raises(PermissionDenied):
            update_profile(actor, actor, display_name="x")
    for role in roles:
        assert User.objects.get(pk=world.users[role].pk).active_roles() == {role}


@pytest.mark.django_db
def test_district_command_grants_inside_its_district_only_and_never_to_itself(world):
    command = world.users[Role.DISTRICT_COMMAND]
    worker = world.users[Role.GRID_WORKER]
    with pytest.raises(PermissionDenied):
        add_grant(command, command, role=Role.GRID_WORKER, place=world.place(GRID_B))
    for role in (Role.PLATFORM_ADMIN, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            add_grant(command, worker, role=role, place=world.place(GRID_B))
    with pytest.raises(PermissionDenied):  # the city is above its district
        add_grant(command, worker, role=Role.STREET_DISPATCHER, place=world.place("110000000000"))
    with pytest.raises(PermissionDenied):  # a grant on neither place nor unit is the admin's to give
        add_grant(command, worker, role=Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        update_profile(command, command, display_name="x")
    before = AuditEvent.objects.count()
    grant = add_grant(command, worker, role=Role.COMMUNITY_WORKER, place=world.place("110101002001"))
    assert grant.granted_by == command and grant.valid_to is None
    assert User.objects.get(pk=worker.pk).active_roles() == {Role.GRID_WORKER, Role.COMMUNITY_WORKER}
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1 and event.action == AuditAction.USER_ROLE_CHANGED
    assert len(event.data["before"]) == 1 and len(event.data["after"]) == 2
    assert event.data["added"] == {"role": "community_worker", "place": "110101002001", "unit": None, "valid_to": None}
    unit_grant = add_grant(command, worker, role=Role.DEPARTMENT_HANDLER, unit=world.units["dept_b"])
    assert unit_grant.unit == world.units["dept_b"]


@pytest.mark.django_db
def test_ending_a_grant_keeps_the_row_and_is_refused_for_ones_own_and_admin_roles(world):
    command = world.users[Role.DISTRICT_COMMAND]
    worker = world.users[Role.GRID_WORKER]
    grant = Grant.objects.get(user=worker)
    with pytest.raises(PermissionDenied):
        end_grant(command, Grant.objects.get(user=command))
    with pytest.raises(PermissionDenied):
        end_grant(world.users[Role.STREET_DISPATCHER], grant)
    auditor_grant = Grant.objects.create(user=worker, role=Role.AUDITOR, place=world.place(GRID_B))
    with pytest.raises(PermissionDenied):
        end_grant(command, auditor_grant)
    ended = end_grant(command, grant)
    assert ended.valid_to is not None and Grant.objects.filter(pk=grant.pk).exists()
    assert User.objects.get(pk=worker.pk).active_roles() == {Role.AUDITOR}
    event = AuditEvent.objects.order_by("-id").first()
    assert event.data["ended"]["role"] == Role.GRID_WORKER and len(event.data["after"]) == 1
    with pytest.raises(ValidationError):
        end_grant(world.admin, Grant.objects.get(pk=grant.pk))  # already ended


@pytest.mark.django_db
def test_platform_admin_grants_any_role_to_others_but_not_to_itself(world):
    admin = world.admin
    auditor = add_grant(admin, world.users[Role.RESIDENT], role=Role.AUDITOR)
    assert auditor.role == Role.AUDITOR
    with pytest.raises(PermissionDenied):
        add_grant(admin, admin, role=Role.AUDITOR)
    with pytest.raises(ValidationError):
        add_grant(admin, world.users[Role.RESIDENT], role="mayor")
    with pytest.raises(ValidationError):
        resident = world.users[Role.RESIDENT]
        add_grant(admin, resident, role=Role.GRID_WORKER, place=world.place(GRID_B), unit=world.units["street_a"])


@pytest.mark.django_db
def test_grants_page_lists_adds_and_ends_with_csrf(world):
    command = world.users[Role.DISTRICT_COMMAND]
    browser = SecondFactorClient(enforce_csrf_checks=True)
    browser.force_login(world.users[Role.STREET_DISPATCHER])
    assert browser.get(reverse("accounts:grants")).status_code == 403
    browser.force_login(command)
    page = browser.get(reverse("accounts:grants"))
    body = page.content.decode()
    assert page.status_code == 200 and "a_grid_worker" in body and "a_resident" not in body
    assert 'value="platform_admin"' not in body and 'value="auditor"' not in body
    worker = world.users[Role.GRID_WORKER]
    form = {"user": worker.pk, "role": Role.COMMUNITY_WORKER, "place": "110101002001", "unit": "", "valid_to": ""}
    assert browser.post(reverse("accounts:grants"), form).status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else browser.cookies["csrftoken"].value
    done = browser.post(reverse("accounts:grants"), {**form, "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    grant = Grant.objects.get(user=worker, role=Role.COMMUNITY_WORKER)
    refused = browser.post(
        reverse("accounts:grants"), {**form, "user": command.pk, "csrfmiddlewaretoken": token}
    ).content.decode()
    assert "errorlist" in refused and not Grant.objects.filter(user=command, role=Role.COMMUNITY_WORKER).exists()
    confirm = browser.get(reverse("accounts:grant_end", args=[grant.pk]))
    assert confirm.status_code == 200 and "csrfmiddlewaretoken" in confirm.content.decode()
    browser.post(reverse("accounts:grant_end", args=[grant.pk]), {"csrfmiddlewaretoken": token})
    assert Grant.objects.get(pk=grant.pk).valid_to is not None
    own = Grant.objects.get(user=command)
    assert browser.get(reverse("accounts:grant_end", args=[own.pk])).status_code == 404


@pytest.mark.django_db
def test_a_user_with_two_roles_switches_between_their_home_pages(client, world):
    worker = world.users[Role.COMMUNITY_WORKER]
    add_grant(world.admin, worker, role=Role.VOLUNTEER)
    client.force_login(worker)
    home = client.get(reverse("home")).content.decode()
    assert 'data-role="community"' in home and 'name="role"' in home  # the senior role first
    client.post(reverse("switch_role"), {"role": Role.VOLUNTEER})
    assert 'data-role="volunteer"' in client.get(reverse("home")).content.decode()
    client.post(reverse("switch_role"), {"role": Role.PLATFORM_ADMIN})  # not held: ignored
    assert 'data-role="volunteer"' in client.get(reverse("home")).content.decode()
