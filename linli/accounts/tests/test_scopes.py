"""The data-scope module: coverage of every model, bounded queries, and the DESIGN §1 rules that changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from linli.accounts.choices import Role
from linli.accounts.models import Grant, User
from linli.accounts.scopes import ACTIONS, EXEMPT, RULES, restrict, scope_of
from linli.core.models import AuditEvent
from linli.dispatch.models import DispatchDecision
from linli.orgs.models import Unit
from linli.places.models import Place


def test_every_model_has_a_rule_or_a_commented_exemption():
    labels = {m._meta.label_lower for m in apps.get_models()}
    missing = sorted(label for label in labels if label not in RULES and label not in EXEMPT)
    assert not missing, f"models with neither a scope rule nor an exemption in linli.accounts.scopes: {missing}"
    assert not set(RULES) & set(EXEMPT), "a model is both ruled and exempt"
    assert not set(EXEMPT) - labels, "an exemption names a model that no longer exists"
    assert all(len(why.split()) >= 4 for why in EXEMPT.values()), "every exemption says why"


def fresh(user: User) -> User:
    """The user as a new request sees them: nothing cached."""
    return User.objects.get(pk=user.pk)


def every_viewer(world) -> list[User]:
    return [world.admin, *world.users.values(), *world.outsiders.values()]


@pytest.mark.django_db
def test_restrict_costs_at_most_two_queries_for_every_role_model_and_action(world, django_assert_max_num_queries):
    models = [apps.get_model(label) for label in RULES]
    for viewer in every_viewer(world):
        for model in models:
            for action in sorted(ACTIONS):
                user = fresh(viewer)
                with django_assert_max_num_queries(2, info=f"{viewer.username} {model.__name__} {action}"):
                    list(restrict(model._default_manager.all(), user, action)[:20])


@pytest.mark.django_db
def test_many_grants_do_not_add_queries(world, django_assert_max_num_queries):
    command = world.users[Role.DISTRICT_COMMAND]
    grids = Place.objects.filter(level="grid")
    for place in list(grids) * 10:
        Grant.objects.create(user=command, role=Role.GRID_WORKER, place=place)
    for unit in Unit.objects.all():
        Grant.objects.create(user=command, role=Role.DEPARTMENT_HANDLER, unit=unit)
    for label in RULES:
        model = apps.get_model(label)
        user = fresh(command)
        with django_assert_max_num_queries(2, info=label):
            list(restrict(model._default_manager.all(), user)[:20])


def _decision(place: Place, unit: Unit | None = None, **extra) -> DispatchDecision:
    return DispatchDecision.objects.create(place=place, unit=unit, mode="manual", category="城乡建设", **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("role,unit_key", [(Role.DEPARTMENT_HANDLER, "dept_a"), (Role.SERVICE_PROVIDER, "provider_a")])
def test_a_units_jurisdiction_opens_no_places_only_the_context_of_its_work(client, world, role, unit_key):
    user = world.users[role]
    assert not restrict(Place.objects.all(), fresh(user)).exists()  # its jurisdiction is the district
    client.force_login(user)
    assert client.get("/api/v1/places/").json()["count"] == 0
    grid = world.place("110101002001001")
    _decision(grid, unit=world.units[unit_key])
    _decision(world.place("110101001001001"), unit=world.units["street_a"])  # someone else's work
    assert list(restrict(Place.objects.all(), fresh(user)).values_list("code", flat=True)) == [grid.code]
    assert [p["code"] for p in client.get("/api/v1/places/").json()["results"]] == [grid.code]
    assert not restrict(Place.objects.all(), fresh(user), "change").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.RESIDENT, Role.VOLUNTEER, Role.AUDITOR])
def test_residents_volunteers_and_auditors_pick_places_but_read_none(world, role):
    user = world.users[role]
    assert not restrict(Place.objects.all(), fresh(user)).exists()
    assert not restrict(Place.objects.all(), fresh(user), "export").exists()
    assert restrict(Place.objects.all(), fresh(user), "pick").count() == Place.objects.count()
    assert list(restrict(User.objects.all(), fresh(user)).values_list("pk", flat=True)) == [user.pk]
    audit_visible = restrict(AuditEvent.objects.all(), fresh(user)).exists()
    assert audit_visible is (role == Role.AUDITOR)


@pytest.mark.django_db
def test_units_street_sees_those_wholly_inside_department_sees_its_own_and_children(world):
    street = fresh(world.users[Role.STREET_DISPATCHER])
    for action in ("view", "change"):
        seen = set(restrict(Unit.objects.all(), street, action).values_list("code", flat=True))
        assert {"SA", "CA", "PA"} <= seen and not seen & {"DA", "DB", "CMD", "SB", "CB", "PB"}, action
    section = Unit.objects.create(
        code="DA1", name="城管委一科", kind="district_department", parent=world.units["dept_a"]
    )
    sub = Unit.objects.create(code="DA11", name="一科一组", kind="district_department", parent=section)
    handler = fresh(world.users[Role.DEPARTMENT_HANDLER])
    seen = set(restrict(Unit.objects.all(), handler).values_list("code", flat=True))
    assert {"DA", section.code, sub.code} <= seen and not seen & {"DB", "CMD", "SA", "PA"}
    assert not restrict(Unit.objects.all(), handler, "change").exists()
    assert not restrict(Unit.objects.all(), fresh(world.users[Role.GRID_WORKER]), "change").exists()


@pytest.mark.django_db
def test_users_are_seen_through_grants_at_places_and_units(world):
    street = fresh(world.users[Role.STREET_DISPATCHER])
    seen = set(restrict(User.objects.all(), street).values_list("username", flat=True))
    assert {"a_grid_worker", "a_community_worker", "a_street_dispatcher"} <= seen
    assert not seen & {"b_grid_worker", "a_department_handler", "a_resident", "root"}
    assert not restrict(User.objects.all(), street, "change").exists()
    handler = fresh(world.users[Role.DEPARTMENT_HANDLER])
    assert set(restrict(User.objects.all(), handler).values_list("username", flat=True)) == {"a_department_handler"}
    command = fresh(world.users[Role.DISTRICT_COMMAND])
    seen = set(restrict(User.objects.all(), command).values_list("username", flat=True))
    assert {"a_department_handler", "b_department_handler", "b_grid_worker", command.username} <= seen
    assert "a_resident" not in seen  # a resident's grant names no place
    changeable = set(restrict(User.objects.all(), command, "change").values_list("username", flat=True))
    assert command.username not in changeable and "b_grid_worker" in changeable
    own = Grant.objects.filter(user=world.users[Role.DISTRICT_COMMAND])
    assert not restrict(own, command, "change").exists()
    assert restrict(own, command).exists()


@pytest.mark.django_db
def test_only_grant_ids_narrow_a_user_to_those_grants(world):
    worker = world.users[Role.COMMUNITY_WORKER]
    volunteer = Grant.objects.create(user=worker, role=Role.VOLUNTEER)
    both = fresh(worker)
    assert scope_of(both).roles == {Role.COMMUNITY_WORKER, Role.VOLUNTEER}
    assert restrict(Place.objects.all(), both).exists()
    narrowed = fresh(worker)
    narrowed.only_grant_ids = frozenset({volunteer.pk})
    assert scope_of(narrowed).roles == {Role.VOLUNTEER}
    assert not restrict(Place.objects.all(), narrowed).exists()
    superuser = fresh(world.admin)
    superuser.only_grant_ids = frozenset()
    assert not restrict(AuditEvent.objects.all(), superuser).exists()  # a token with no grants reads nothing


@pytest.mark.django_db
def test_expired_grants_and_inactive_users_read_nothing(world):
    worker = world.users[Role.GRID_WORKER]
    Grant.objects.filter(user=worker).update(
        valid_from=timezone.now() - timedelta(days=2), valid_to=timezone.now() - timedelta(days=1)
    )
    for label in RULES:
        model = apps.get_model(label)
        assert not restrict(model._default_manager.all(), fresh(worker), "pick").exists(), label
    inactive = world.users[Role.COMMUNITY_WORKER]
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    assert not restrict(Place.objects.all(), fresh(inactive), "pick").exists()


@pytest.mark.django_db
def test_decisions_follow_places_units_and_own_requests(world):
    resident = world.users[Role.RESIDENT]
    mine = _decision(world.place("110101002001001"), requested_by=resident)
    to_dept = _decision(world.place("110101002001001"), unit=world.units["dept_a"])
    at_a = _decision(world.place("110101001001001"))
    assert list(restrict(DispatchDecision.objects.all(), fresh(resident))) == [mine]
    handler = fresh(world.users[Role.DEPARTMENT_HANDLER])
    assert list(restrict(DispatchDecision.objects.all(), handler)) == [to_dept]
    grid = fresh(world.users[Role.GRID_WORKER])
    assert list(restrict(DispatchDecision.objects.all(), grid)) == [at_a]
    assert not restrict(DispatchDecision.objects.all(), grid, "change").exists()
    street = fresh(world.users[Role.STREET_DISPATCHER])
    assert list(restrict(DispatchDecision.objects.all(), street, "change")) == [at_a]
