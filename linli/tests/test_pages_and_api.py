"""Pages and API behave for a person: the right answers, clear errors, bounded query counts."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.orgs.models import Matter
from linli.places.models import Place


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*Role.values])
def test_every_role_has_a_home_page(client, world, role):
    user = world.users.get(role) or (world.admin if role == Role.PLATFORM_ADMIN else None)
    if user is None:
        pytest.skip("no fixture user for this role")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'data-role="' in response.content.decode()


@pytest.mark.django_db
def test_list_pages_have_bounded_queries(client, world, django_assert_max_num_queries, matter):
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    for i in range(30):
        Place.objects.create(
            code=f"110101001001001E{i + 10:02d}",
            name=f"园{i}",
            level="estate",
            parent=world.place("110101001001001"),
            path=world.place("110101001001001").path + f"{9000 + i:010d}",
            depth=5,
        )
        Matter.objects.create(
            code=f"MX{i}",
            name=f"事项{i}",
            category="城乡建设",
            owner_level="street",
            department_type="urban_management",
        )
    grid = world.place("110101001001001")
    for url in (
        reverse("places:detail", args=[grid.pk]),
        reverse("orgs:matters"),
        reverse("orgs:units"),
        reverse("home"),
    ):
        with django_assert_max_num_queries(15):
            assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_import_page_shows_every_bad_row(client, world):
    client.force_login(world.users[Role.COMMUNITY_WORKER])
    content = "code,name,level,parent_code,contact_phone\n110101001001003,新网格,grid,110101001001,123\n110101001001004,孤,grid,999,\n"
    upload = io.BytesIO(content.encode())
    upload.name = "bad.csv"
    response = client.post(reverse("places:import"), {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="import-errors"' in body
    assert ">2<" in body and ">3<" in body
    assert not Place.objects.filter(code="110101001001003").exists()


@pytest.mark.django_db
def test_resolve_page_and_responsibility_page(client, world, matter):
    client.force_login(world.users[Role.STREET_DISPATCHER])
    response = client.get(reverse("places:resolve"), {"longitude": "116.05", "latitude": "39.9"})
    assert "甲一第1网格" in response.content.decode()
    response = client.get(reverse("places:resolve"), {"longitude": "116.3", "latitude": "39.9"})
    assert "乙一第1网格" not in response.content.decode()  # outside the dispatcher's street
    response = client.get(reverse("orgs:responsibility"), {"matter": matter.pk, "address": "甲一社区甲园小区"})
    assert "城管委" in response.content.decode()
    response = client.get(reverse("orgs:responsibility"), {"matter": matter.pk})
    assert response.status_code == 200 and "responsibility-answer" not in response.content.decode()


@pytest.mark.django_db
def test_api_responsibility_resolve_and_schema(client, world, matter):
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    body = client.get("/api/v1/responsibility/", {"matter": "M01001", "place": "110101002001001"}).json()
    assert body["unit"]["code"] == "DA" and body["fallback"] is False
    body = client.get("/api/v1/responsibility/", {"place": "110101002001001"}).json()
    assert body["unit"]["code"] == "SB" and body["fallback"] is True
    assert client.get("/api/v1/places/resolve/", {"lon": 116.3, "lat": 39.9}).json()["code"] == "110101002001001"
    assert (
        client.get("/api/v1/places/resolve/", {"address": "乙一社区乙园小区1号楼"}).json()["code"]
        == "110101002001001E01B01"
    )
    bad = client.get("/api/v1/places/resolve/", {"lon": 500})
    assert bad.status_code == 400
    assert client.get("/api/v1/places/", {"under": "110101001001", "level": "grid"}).json()["count"] == 2
    me = client.get("/api/v1/me/").json()
    assert me["roles"] == [Role.DISTRICT_COMMAND]
    assert me["grants"] == [{"role": Role.DISTRICT_COMMAND, "place": "110101000000", "unit": None, "valid_to": None}]
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/responsibility/" in paths and "/api/v1/places/resolve/" in paths


@pytest.mark.django_db
def test_language_switch_to_english(client, world):
    client.force_login(world.users[Role.GRID_WORKER])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "My grids" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_admin_lists_every_model_and_writes_through_actions(client, world):
    from django.contrib import admin

    from linli.core.choices import AuditAction
    from linli.core.models import AuditEvent

    client.force_login(world.admin)
    ours = [m for m in admin.site._registry if m.__module__.startswith("linli.")]
    assert len(ours) >= 10
    for model in ours:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    user = world.users[Role.GRID_WORKER]
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert "grants-TOTAL_FORMS" in page and 'name="role"' not in page  # grants shown, not edited
    response = client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "display_name": "新名字",
            "role": Role.PLATFORM_ADMIN,  # not a field any more: ignored
            "is_active": "on",
            "first_name": "",
            "last_name": "",
            "email": "",
            "grants-TOTAL_FORMS": "1",
            "grants-INITIAL_FORMS": "1",
            "grants-MIN_NUM_FORMS": "0",
            "grants-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.display_name == "新名字" and user.active_roles() == {Role.GRID_WORKER}
    actions = set(AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True))
    assert AuditAction.USER_UPDATED in actions and AuditAction.USER_ROLE_CHANGED not in actions


@pytest.mark.django_db
def test_unit_import_page_for_street_dispatchers(client, world):
    client.force_login(world.users[Role.GRID_WORKER])
    assert client.get(reverse("orgs:units_import")).status_code == 403
    client.force_login(world.users[Role.STREET_DISPATCHER])
    bad = io.BytesIO(
        "code,name,kind,jurisdiction_codes,contact_phone\nP1,甲物业,property_company,110101001001001E01,123\nP2,越界物业,property_company,110101002001001E01,\n".encode()
    )
    bad.name = "units.csv"
    body = client.post(reverse("orgs:units_import"), {"file": bad}).content.decode()
    assert 'id="import-errors"' in body and ">2<" in body and ">3<" in body
    good = io.BytesIO("code,name,kind,jurisdiction_codes\nP1,甲物业,property_company,110101001001001E01\n".encode())
    good.name = "units.csv"
    assert client.post(reverse("orgs:units_import"), {"file": good}).status_code == 302
    from linli.orgs.models import Unit

    assert Unit.objects.get(code="P1").jurisdiction.get().code == "110101001001001E01"
