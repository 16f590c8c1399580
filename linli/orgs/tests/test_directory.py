"""The assignee directory: routing is not reading (issue 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.accounts.scopes import restrict
from linli.dispatch.models import DispatchDecision
from linli.orgs.directory import assignable_units
from linli.orgs.models import Unit

GRID_A = "110101001001001"


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


@pytest.mark.django_db
def test_each_role_routes_to_the_units_the_spec_names(world):
    street = codes(assignable_units(world.users[Role.STREET_DISPATCHER]))
    assert {"SA", "CA", "PA", "DA", "DB", "CMD"} <= street and not street & {"SB", "CB", "PB"}
    secretary = codes(assignable_units(world.users[Role.COMMUNITY_SECRETARY]))
    assert {"CA", "SA"} <= secretary and not secretary & {"DA", "CMD", "PA", "SB", "CB"}
    command = codes(assignable_units(world.users[Role.DISTRICT_COMMAND]))
    assert {"SA", "SB", "CA", "CB", "PA", "PB", "DA", "DB", "CMD"} <= command
    assert codes(assignable_units(world.admin)) == set(
        Unit.objects.filter(is_active=True).values_list("code", flat=True)
    )
    for role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.DEPARTMENT_HANDLER, Role.RESIDENT, Role.AUDITOR):
        assert not assignable_units(world.users[role]).exists(), role
    Unit.objects.filter(code="DA").update(is_active=False)
    assert "DA" not in codes(assignable_units(world.users[Role.STREET_DISPATCHER]))


@pytest.mark.django_db
def test_a_place_narrows_to_units_working_there(world):
    at_grid = codes(assignable_units(world.users[Role.DISTRICT_COMMAND], place=world.place(GRID_A)))
    assert {"SA", "CA", "PA", "DA", "CMD"} <= at_grid and not at_grid & {"SB", "CB", "PB"}


def _decision_at_grid_a(world) -> DispatchDecision:
    return DispatchDecision.objects.create(
        place=world.place(GRID_A), unit=world.units["street_a"], mode="manual", category="城乡建设"
    )


@pytest.mark.django_db
def test_street_dispatcher_routes_to_a_district_department_it_cannot_read_through_the_api(client, world):
    dispatcher = world.users[Role.STREET_DISPATCHER]
    department = world.units["dept_a"]
    assert not restrict(Unit.objects.filter(pk=department.pk), dispatcher).exists()  # reading: no
    decision = _decision_at_grid_a(world)
    client.force_login(dispatcher)
    url = f"/api/v1/dispatch/decisions/{decision.pk}/correct/"
    body = {"category": "城乡建设", "unit": department.code}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    decision.refresh_from_db()
    assert decision.final_unit == department
    other_street = client.post(url, {**body, "unit": "SB"}, content_type="application/json")
    assert other_street.status_code == 404
    assert client.get(f"/api/v1/units/{department.pk}/").status_code == 404  # still not readable


@pytest.mark.django_db
def test_street_dispatcher_routes_to_a_district_department_on_the_decision_page(client, world):
    decision = _decision_at_grid_a(world)
    client.force_login(world.users[Role.STREET_DISPATCHER])
    url = reverse("dispatch:decision", args=[decision.pk])
    page = client.get(url).content.decode()
    department = world.units["dept_a"]
    assert f'value="{department.pk}"' in page and f'value="{world.units["street_b"].pk}"' not in page
    response = client.post(url, {"category": "城乡建设", "unit": department.pk, "reason": "城管职责"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.final_unit == department
    refused = client.post(url, {"category": "城乡建设", "unit": world.units["street_b"].pk})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    decision.refresh_from_db()
    assert decision.final_unit == department


@pytest.mark.django_db
def test_the_correction_action_itself_refuses_a_unit_outside_the_directory(world):
    from django.core.exceptions import ValidationError

    from linli.dispatch.actions import record_correction

    decision = _decision_at_grid_a(world)
    with pytest.raises(ValidationError):
        record_correction(
            world.users[Role.STREET_DISPATCHER],
            decision,
            matter=None,
            unit=world.units["street_b"],
            category="城乡建设",
        )
    assert DispatchDecision.objects.get(pk=decision.pk).final_unit is None
