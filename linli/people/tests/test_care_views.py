"""Care visit pages: scoped lists in due order, the visit form (whole or nothing), history and photos behind the
person's scope, home page counts, the visit rules, and bounded query counts."""

from __future__ import annotations

import datetime
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.actions import care, registry
from linli.people.models import CareRule, CareVisit, Person
from linli.places.actions import create_place

pytestmark = pytest.mark.django_db
GRID_A1, GRID_A2 = "110101001001001", "110101001001002"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, "JPEG")
    return out.getvalue()


def upload(data: bytes, name: str = "p.jpg") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def person(keeper: Any, place: Any, name: str, tag: str, started: int, **fields: Any) -> Person:
    made = registry.register_person(keeper, place=place, name=name, residency="户籍", **fields)
    care.add_tag(keeper, made, tag=tag, source="civil_affairs", valid_from=days_ago(started))
    made.refresh_from_db()
    return made


@pytest.fixture
def cared(world: Any, houses: dict[str, Any], keeper: Any) -> dict[str, Person]:
    """Side A grid 1: one overdue, one due within the week, one due next month, one minor; grid 2: one overdue;
    side B: one overdue."""
    keeper_b = world.outsiders[Role.COMMUNITY_WORKER]
    grid2_home = create_place(
        world.admin, code=f"{GRID_A2}E01", name="乙园", level="estate", parent=world.place(GRID_A2)
    )
    return {
        "late": person(
            keeper, houses["a101"], "孙秀兰", "advanced_age", 40, birth_date="1938-02-02", phone="13800001234"
        ),
        "soon": person(keeper, houses["a102"], "李建国", "living_alone_elderly", 4, birth_date="1940-05-05"),
        "later": person(keeper, houses["a101"], "王德发", "disabled", 0, birth_date="1970-01-01"),
        "minor": person(keeper, houses["a102"], "赵小明", "child_in_difficulty", 10, birth_date="2016-06-06"),
        "grid2": person(keeper, grid2_home, "钱大妈", "advanced_age", 35, birth_date="1941-01-01"),
        "b": person(keeper_b, houses["b101"], "周外人", "advanced_age", 40, birth_date="1939-03-03"),
    }


def listed(response: Any) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-person="(\d+)"', response.content.decode())]


def test_grid_worker_sees_only_their_grid_overdue_first(client, world, cared):
    client.force_login(world.users[Role.GRID_WORKER])
    response = client.get(reverse("people:care_list"))
    assert response.status_code == 200
    order = [cared[k].pk for k in ("late", "soon", "minor", "later")]
    assert listed(response) == order  # by next visit due: overdue first
    body = response.content.decode()
    assert "周外人" not in body and "钱大妈" not in body
    assert 'class="card care-row overdue"' in body
    client.force_login(world.outsiders[Role.GRID_WORKER])
    assert listed(client.get(reverse("people:care_list"))) == [cared["b"].pk]


def test_rows_show_house_tags_and_mask_what_presenting_masks(client, world, cared):
    client.force_login(world.users[Role.GRID_WORKER])
    body = client.get(reverse("people:care_list")).content.decode()
    assert "孙秀兰" in body and "甲园小区 1号楼 1单元 101室" in body  # 小区 楼 单元 室
    assert "138****1234" in body and "13800001234" not in body
    assert "赵小明" not in body and "赵**" in body  # a minor's record is sensitive
    assert f'href="/people/{cared["late"].pk}/"' in body  # the person card, where a reveal is logged


def test_filters_by_due_tag_and_grid(client, world, cared):
    client.force_login(world.users[Role.GRID_WORKER])
    url = reverse("people:care_list")
    assert listed(client.get(url, {"due": "overdue"})) == [cared["late"].pk]
    assert listed(client.get(url, {"due": "week"})) == [cared["soon"].pk, cared["minor"].pk]
    assert listed(client.get(url, {"tag": "disabled"})) == [cared["later"].pk]
    assert listed(client.get(url, {"due": "nonsense"})) == listed(client.get(url))
    client.force_login(world.users[Role.COMMUNITY_WORKER])
    grid2 = world.place(GRID_A2)
    assert listed(client.get(url, {"grid": grid2.pk})) == [cared["grid2"].pk]
    assert client.get(url, {"grid": world.place("110101002001001").pk}).status_code == 404  # not theirs
    assert client.get(url, {"grid": "1 or 1"}).status_code == 404


def test_readers_only(client, world, cared):
    for role in (Role.RESIDENT, Role.DEPARTMENT_HANDLER, Role.SERVICE_PROVIDER, Role.VOLUNTEER):
        client.force_login(world.users[role])
        assert client.get(reverse("people:care_list")).status_code == 403
        assert client.get(reverse("people:care_rules")).status_code == 403
    client.force_login(world.users[Role.STREET_DISPATCHER])  # reads the registry, does not visit
    response = client.get(reverse("people:care_list"))
    assert response.status_code == 200 and cared["grid2"].pk in listed(response)
    assert "data-visit=" not in response.content.decode()
    assert client.get(reverse("people:care_visit", args=[cared["late"].pk])).status_code == 403


def test_logging_a_visit_moves_the_clock_and_returns_to_the_list(client, world, cared, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    late = cared["late"]
    client.force_login(world.users[Role.GRID_WORKER])
    form_url = reverse("people:care_visit", args=[late.pk])
    back = reverse("people:care_list") + "?due=overdue"
    page = client.get(form_url, {"back": back})
    assert page.status_code == 200 and 'capture="environment"' in page.content.decode()
    response = client.post(
        form_url, {"outcome": "needs_attention", "note": "腿脚不便", "photo": upload(jpeg()), "back": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    late.refresh_from_db()
    assert late.next_visit_due == timezone.localdate() + datetime.timedelta(days=30)
    assert late.last_visited_at is not None
    visit = CareVisit.objects.get(person=late)
    assert (visit.outcome, visit.note, visit.visitor) == ("needs_attention", "腿脚不便", world.users[Role.GRID_WORKER])
    assert visit.late and visit.photo.name.endswith(".jpg")
    assert AuditEvent.objects.filter(action=AuditAction.CARE_VISIT_LOGGED).count() == 1
    body = response.content.decode()
    assert 'class="messages"' in body and "孙秀兰" in body
    assert late.pk not in listed(response)  # no longer overdue


def test_back_never_leaves_the_visit_pages(client, world, cared):
    client.force_login(world.users[Role.GRID_WORKER])
    url = reverse("people:care_visit", args=[cared["soon"].pk])
    for back in ("https://evil.example/", "//evil.example/people/care/", "/accounts/logout/", "/people/care/../x/"):
        response = client.post(url, {"outcome": "well", "back": back})
        assert response.status_code == 302 and response["Location"] == reverse("people:care_list")


def test_bad_photo_refuses_the_whole_visit(client, world, cared, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    late = cared["late"]
    due_before = late.next_visit_due
    client.force_login(world.users[Role.GRID_WORKER])
    response = client.post(
        reverse("people:care_visit", args=[late.pk]),
        {"outcome": "well", "note": "看望", "photo": upload(b"GIF89a not really", "x.jpg")},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="visit-errors"' in body
    assert "不是 JPEG" in body  # the photo check's message, in Chinese
    assert not CareVisit.objects.exists()
    late.refresh_from_db()
    assert late.next_visit_due == due_before and late.last_visited_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.CARE_VISIT_LOGGED).exists()
    assert not [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    response = client.post(reverse("people:care_visit", args=[late.pk]), {"outcome": "sleeping"})
    assert 'data-field-errors="outcome"' in response.content.decode() and not CareVisit.objects.exists()
    response = client.post(reverse("people:care_visit", args=[late.pk]), {"outcome": "well", "note": "<b>hi</b>"})
    assert 'data-field-errors="note"' in response.content.decode() and not CareVisit.objects.exists()


def test_another_grids_person_is_not_found(client, world, cared, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    b = cared["b"]
    care.log_visit(world.outsiders[Role.GRID_WORKER], b, photo=upload(jpeg()))
    visit = CareVisit.objects.get(person=b)
    client.force_login(world.users[Role.GRID_WORKER])
    assert client.get(reverse("people:care_visit", args=[b.pk])).status_code == 404
    assert client.post(reverse("people:care_visit", args=[b.pk]), {"outcome": "well"}).status_code == 404
    assert client.get(reverse("people:care_history", args=[b.pk])).status_code == 404
    assert client.get(reverse("people:care_photo", args=[visit.pk])).status_code == 404
    assert CareVisit.objects.count() == 1
    client.force_login(world.outsiders[Role.GRID_WORKER])
    response = client.get(reverse("people:care_photo", args=[visit.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(world.outsiders[Role.DEPARTMENT_HANDLER])
    assert client.get(reverse("people:care_photo", args=[visit.pk])).status_code == 404


def test_history_lists_visits_newest_first(client, world, cared):
    soon = cared["soon"]
    grid = world.users[Role.GRID_WORKER]
    care.log_visit(grid, soon, note="第一次", visited_at=timezone.now() - datetime.timedelta(days=2))
    care.log_visit(grid, soon, outcome="not_met", note="第二次")
    client.force_login(world.users[Role.COMMUNITY_SECRETARY])
    body = client.get(reverse("people:care_history", args=[soon.pk])).content.decode()
    assert body.index("第二次") < body.index("第一次") and 'id="visit-again"' in body


def test_home_pages_count_due_and_overdue(client, world, cared):
    client.force_login(world.users[Role.GRID_WORKER])
    body = client.get(reverse("home")).content.decode()
    assert 'id="care-week">2<' in body and 'id="care-overdue">1<' in body  # soon + minor; late
    assert "孙秀兰" in body and "钱大妈" not in body  # the top few overdue, own grid only
    client.force_login(world.users[Role.COMMUNITY_SECRETARY])
    body = client.get(reverse("home")).content.decode()
    assert 'id="care-overdue">2<' in body
    grid1, grid2 = world.place(GRID_A1), world.place(GRID_A2)
    assert f"?due=overdue&amp;grid={grid1.pk}" in body and f"?due=overdue&amp;grid={grid2.pk}" in body
    row = re.search(rf'data-grid="{grid2.pk}">(.*?)</tr>', body, re.S)
    assert row and ">1</a>" in row.group(1)
    client.force_login(world.outsiders[Role.COMMUNITY_WORKER])
    body = client.get(reverse("home")).content.decode()
    assert 'id="care-overdue">1<' in body and "孙秀兰" not in body


def test_map_draws_the_grid_and_groups_people_by_position(client, world, cared):
    house = Person.objects.get(pk=cared["late"].pk).place
    house.latitude, house.longitude = 39.91, 116.05
    house.save()
    client.force_login(world.users[Role.GRID_WORKER])
    response = client.get(reverse("people:care_map"))
    data = json.loads(
        re.search(r'id="care-map-data" type="application/json">(.*?)</script>', response.content.decode()).group(1)
    )
    assert [g["name"] for g in data["grids"]] == ["甲一第1网格"] and data["grids"][0]["geometry"]["type"] == "Polygon"
    spots = {(p["lat"], p["lon"]): [x["name"] for x in p["people"]] for p in data["points"]}
    assert spots.pop((39.91, 116.05)) == ["孙秀兰", "王德发"]  # one marker per position, soonest due first
    # Room 102 has no position: its people sit at the grid's centre, the nearest placed ancestor's point.
    [(spot, names)] = spots.items()
    assert spot == pytest.approx((39.9, 116.05)) and names == ["李建国", "赵**"] and data["unplaced"] == 0


def test_query_counts_stay_bounded(client, world, houses, keeper, cared, django_assert_max_num_queries):
    """Measured at 10, 10, 12, 10, 13, 9, 8 with 6 people and with 36: a few to spare, none per person."""
    for n in range(30):
        person(
            keeper, houses["a101" if n % 2 else "a102"], f"测试{n:02d}", "empty_nest", n + 8, birth_date="1950-01-01"
        )
    late = cared["late"].pk
    for role, url, limit in (
        (Role.GRID_WORKER, reverse("people:care_list"), 12),
        (Role.GRID_WORKER, reverse("people:care_map"), 12),
        (Role.GRID_WORKER, reverse("home"), 14),
        (Role.COMMUNITY_WORKER, reverse("people:care_list") + "?due=overdue", 12),
        (Role.COMMUNITY_WORKER, reverse("home"), 15),
        (Role.GRID_WORKER, reverse("people:care_history", args=[late]), 11),
        (Role.GRID_WORKER, reverse("people:care_visit", args=[late]), 10),
    ):
        client.force_login(world.users[role])
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_care_rules_changed_by_district_command_only(client, world, cared):
    url = reverse("people:care_rules")
    client.force_login(world.users[Role.COMMUNITY_WORKER])
    body = client.get(url).content.decode()
    assert 'data-tag="advanced_age"' in body and 'name="days"' not in body
    assert client.post(url, {"tag": "advanced_age", "days": "10"}).status_code == 403
    assert CareRule.objects.get(tag="advanced_age").visit_every_days == 30
    command = world.users[Role.DISTRICT_COMMAND]
    client.force_login(command)
    assert 'name="days"' in client.get(url).content.decode()
    response = client.post(url, {"tag": "advanced_age", "days": "10"})
    assert response.status_code == 302
    assert CareRule.objects.get(tag="advanced_age").visit_every_days == 10
    late = Person.objects.get(pk=cared["late"].pk)
    assert late.next_visit_due == days_ago(40) + datetime.timedelta(days=10)  # clocks recomputed
    for bad in ("0", "400", "ten", "٣"):
        response = client.post(url, {"tag": "advanced_age", "days": bad}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200 and 'class="errors"' in response.content.decode()
    assert client.post(url, {"tag": "martian", "days": "5"}).status_code == 200
    assert CareRule.objects.get(tag="advanced_age").visit_every_days == 10
    client.post(url, {"tag": "advanced_age", "days": ""})
    assert CareRule.objects.get(tag="advanced_age").visit_every_days is None
