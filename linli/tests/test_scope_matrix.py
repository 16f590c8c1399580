"""The permission matrix: for every role, a user scoped to side A reaches nothing of side B by any path —
querysets, pages, search, API, exports and dashboards."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from conftest import ROLE_SCOPES
from linli.accounts.choices import Role
from linli.accounts.models import User
from linli.core.models import AuditEvent
from linli.core.tabular import read_table
from linli.orgs.models import Unit
from linli.places.models import Place

ROLES = list(ROLE_SCOPES)
B_PLACE_PREFIX = "110101002"
B_UNITS = {"SB", "CB", "PB", "DB"}


def b_markers(world, role: str) -> tuple[set[str], set[str]]:
    """Codes of B's places and units as far as `role` is concerned."""
    places = {c for c in world.places if c.startswith(B_PLACE_PREFIX)}
    units = set(B_UNITS)
    if role == Role.DEPARTMENT_HANDLER:
        places = set()  # a department's jurisdiction is the whole district; B is the other department
        units = {"DB"}
    return places, units


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_querysets(world, role):
    user = world.users[role]
    b_places, b_units = b_markers(world, role)
    visible_places = set(Place.objects.restrict(user).values_list("code", flat=True))
    visible_units = set(Unit.objects.restrict(user).values_list("code", flat=True))
    assert not visible_places & b_places
    assert not visible_units & b_units
    visible_users = set(User.objects.restrict(user).values_list("username", flat=True))
    assert not any(name.startswith("b_") for name in visible_users)
    assert user.username in visible_users
    assert AuditEvent.objects.restrict(user).exists() == (role == Role.AUDITOR)
    # and symmetrically the outsider, scoped to B, sees nothing of A
    outsider = world.outsiders[role]
    a_units = {"SA", "CA", "PA"} if role != Role.DEPARTMENT_HANDLER else {"DA"}
    assert not set(Unit.objects.restrict(outsider).values_list("code", flat=True)) & a_units
    if role != Role.DEPARTMENT_HANDLER:
        seen_by_b = set(Place.objects.restrict(outsider).values_list("code", flat=True))
        assert not {c for c in seen_by_b if c.startswith("110101001")}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_pages_search_and_dashboard(client, world, role):
    user = world.users[role]
    client.force_login(user)
    b_places, b_units = b_markers(world, role)
    for code in b_places:
        response = client.get(reverse("places:detail", args=[world.place(code).pk]))
        assert response.status_code in (403, 404), code
    for url in (reverse("home"), reverse("places:browse") + "?q=乙", reverse("orgs:units")):
        response = client.get(url, follow=True)
        body = response.content.decode()
        names = {world.place(c).name for c in b_places} - {"1号楼"}
        names |= {world.units_by_code(c).name for c in b_units}
        assert not [n for n in names if n in body], url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api(client, world, role):
    user = world.users[role]
    client.force_login(user)
    b_places, b_units = b_markers(world, role)
    listed = client.get("/api/v1/places/?limit=1000").json()
    codes = {p["code"] for p in listed.get("results", [])}
    assert not codes & b_places
    units = {u["code"] for u in client.get("/api/v1/units/?limit=1000").json().get("results", [])}
    assert not units & b_units
    for code in b_places:
        assert client.get(f"/api/v1/places/{world.place(code).pk}/").status_code == 404
        assert client.get(f"/api/v1/responsibility/?place={code}").status_code == 404
    for unit_code in b_units:
        assert client.get(f"/api/v1/units/{world.units_by_code(unit_code).pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r in ROLE_SCOPES and ROLE_SCOPES[r][0]])
def test_exports(client, world, role):
    user = world.users[role]
    client.force_login(user)
    b_places, _ = b_markers(world, role)
    response = client.get(reverse("places:export") + "?format=csv")
    table = read_table(io.BytesIO(response.content), "x.csv")
    exported = {row["code"] for _, row in table.rows}
    assert exported and not exported & b_places
    b_root = world.place(next(iter(sorted(b_places))))
    assert client.get(reverse("places:export") + f"?root={b_root.pk}").status_code == 404


@pytest.mark.django_db
def test_unit_scoped_user_sees_own_unit_only(world):
    handler = world.users[Role.DEPARTMENT_HANDLER]
    assert set(Unit.objects.restrict(handler).values_list("code", flat=True)) == {"DA"}


@pytest.mark.django_db
def test_street_sees_units_wholly_inside_it(world):
    dispatcher = world.users[Role.STREET_DISPATCHER]
    assert set(Unit.objects.restrict(dispatcher).values_list("code", flat=True)) == {"SA", "CA", "PA"}


@pytest.mark.django_db
def test_district_command_sees_both_sides(world):
    command = world.users[Role.DISTRICT_COMMAND]
    codes = set(Place.objects.restrict(command).values_list("code", flat=True))
    assert {"110101001001001", "110101002001001"} <= codes and "110000000000" not in codes


@pytest.mark.django_db
def test_every_model_with_data_has_a_scope_rule():
    from django.apps import apps

    from linli.accounts.scopes import RULES

    ours = [m for m in apps.get_models() if m.__module__.startswith("linli.") and hasattr(m.objects, "restrict")]
    assert ours and all(m._meta.label_lower in RULES for m in ours)


@pytest.mark.django_db
def test_anonymous_reaches_nothing(client, world):
    assert client.get(reverse("places:browse")).status_code == 302
    assert client.get("/api/v1/places/").status_code in (401, 403)
    assert not Place.objects.restrict(None).exists()
