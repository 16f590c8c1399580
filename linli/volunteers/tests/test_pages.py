"""The pages: scope (an outsider gets nothing, a resident reads their community's activities), inert text (a
hostile title on the activity page, the list, the organiser's list and the QR page), masked names, and the
activity list's query count."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import SecondFactorClient
from linli.accounts.choices import Role
from linli.volunteers.actions.attendance import sign_up
from linli.volunteers.models import Activity

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>{{ 7*7 }}'


def test_scope_of_the_activity_pages(volunteer: Any, town: Any, world: Any, client: Any) -> None:
    activity = town.activity(auto_confirm=True)
    detail = f"/volunteers/activities/{activity.pk}/"
    client.force_login(town.resident)
    assert client.get(detail).status_code == 200
    assert activity.title in client.get("/volunteers/activities/").content.decode()
    assert client.get(f"/volunteers/activities/{activity.pk}/signups/").status_code == 403
    client.force_login(world.outsiders[Role.RESIDENT])
    assert client.get(detail).status_code == 404
    assert activity.title not in client.get("/volunteers/activities/").content.decode()
    assert client.post(f"/volunteers/activities/{activity.pk}/join/").status_code == 404
    client.force_login(world.outsiders[Role.COMMUNITY_WORKER])
    assert client.get(detail).status_code == 404
    assert client.get(f"/volunteers/activities/{activity.pk}/signups/").status_code == 404
    client.force_login(world.users[Role.GRID_WORKER])  # a grid worker reads its community's activities
    assert client.get(detail).status_code == 200
    assert client.get(f"/volunteers/activities/{activity.pk}/signups/").status_code == 403


def test_joining_from_the_page(volunteer: Any, town: Any, client: Any) -> None:
    activity = town.activity(auto_confirm=True)
    client.force_login(town.resident)
    response = client.post(f"/volunteers/activities/{activity.pk}/join/", follow=True)
    assert response.status_code == 200
    assert activity.signups.get().state == "confirmed"
    client.post(f"/volunteers/activities/{activity.pk}/leave/")
    assert activity.signups.get().state == "cancelled"


def test_hostile_text_stays_inert(volunteer: Any, town: Any, client: Any) -> None:
    activity = town.activity(start_in=-10, minutes=60, auto_confirm=True)
    sign_up(town.resident, activity)
    # The actions refuse markup; a row written some other way (an import, the database) must still be inert.
    Activity.objects.filter(pk=activity.pk).update(title=HOSTILE, description=HOSTILE)
    pages = {town.resident: [f"/volunteers/activities/{activity.pk}/", "/volunteers/activities/", "/volunteers/mine/"]}
    pages[town.keeper] = [
        f"/volunteers/activities/{activity.pk}/signups/",
        f"/volunteers/activities/{activity.pk}/qr/in/",
        f"/volunteers/activities/{activity.pk}/qr/out/",
    ]
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            body = client.get(url).content.decode()
            assert "<script>alert" not in body and "<img src=x" not in body, url
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body, url
            assert "{{ 7*7 }}" in body or "49" not in body


def test_registry_masks_names_unless_the_role_needs_them(volunteer: Any, town: Any, world: Any) -> None:
    keeper = SecondFactorClient()
    keeper.force_login(town.keeper)
    assert "王志愿" in keeper.get("/volunteers/registry/").content.decode()
    district = SecondFactorClient()
    district.force_login(world.users[Role.DISTRICT_COMMAND])
    body = district.get("/volunteers/registry/").content.decode()
    assert "王*" in body and "王志愿" not in body
    assert keeper.get("/volunteers/registry/?role=mediator").status_code == 200
    outsider = SecondFactorClient()
    outsider.force_login(world.outsiders[Role.COMMUNITY_WORKER])
    assert "王" not in outsider.get("/volunteers/registry/").content.decode().split("<main>")[1]
    assert outsider.get(f"/volunteers/registry/{volunteer.pk}/").status_code == 404


def test_the_activity_list_takes_a_fixed_number_of_queries(volunteer: Any, town: Any, client: Any) -> None:
    client.force_login(town.resident)
    town.activity()
    client.get("/volunteers/activities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/volunteers/activities/")
    for n in range(8):
        sign_up(town.resident, town.activity(title=f"活动{n}", auto_confirm=True))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/volunteers/activities/")
    assert response.content.decode().count("data-activity=") == 9
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 12


def test_a_resident_reads_the_activities_of_the_community_they_live_in(town: Any, world: Any) -> None:
    """No volunteer record yet: the registry record found by the verified phone opens the community's list."""
    from linli.volunteers.queries import activities_for

    activity = town.activity()
    assert list(activities_for(town.resident)) == [activity]
    assert not activities_for(world.outsiders[Role.RESIDENT]).exists()


def test_the_volunteer_page_shows_and_records_the_party_membership(volunteer: Any, town: Any, client: Any) -> None:
    client.force_login(town.keeper)
    url = f"/volunteers/registry/{volunteer.pk}/"
    response = client.post(
        f"{url}party/", {"organisation": "某区机关第一党支部", "reported_on": "2026-03-01"}, follow=True
    )
    assert response.status_code == 200
    party = town.person.party.get()
    assert party.reported_to == town.community  # recorded through linli.people's action (双报到)
    body = client.get(url).content.decode()
    assert "某区机关第一党支部" in body and town.community.name in body
    client.force_login(town.resident)
    assert "某区机关第一党支部" in client.get(url).content.decode()  # their own record
    assert client.post(f"{url}party/", {"organisation": "x"}).status_code == 403
