"""Exports of the registry: the user's scope only, masked unless asked and allowed, exactly one access-log
row per export, and cells that no spreadsheet runs as formulas."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.actions import care, registry
from linli.people.models import Person

from .conftest import id_number

pytestmark = pytest.mark.django_db

ADULT = id_number("110101", "19450305", "124")
CHILD = id_number("110101", "20150505", "123")
OUTSIDER = id_number("110101", "19700101", "011")
HOSTILE = "=cmd|' /C calc'!A0"


@pytest.fixture
def people(world, houses, keeper):
    adult = registry.register_person(
        keeper, place=houses["a101"], name="王秀英", id_number=ADULT, phone="13800001234", residency="户籍"
    )
    child = registry.register_person(
        keeper, place=houses["a101"], name="李小明", id_number=CHILD, phone="13912345678", residency="常住"
    )
    household = registry.create_household(keeper, house=houses["a101"], number="1")
    registry.move_person(keeper, adult, household=household, relation="户主")
    care.add_tag(keeper, adult, tag="living_alone_elderly", source="civil_affairs")
    hostile = registry.register_person(
        keeper, place=houses["a102"], name=HOSTILE, birth_date="1980-01-01", gender="男", residency="流动"
    )
    # Stored before the checks refused markup (or written by another system): still only text in a cell.
    Person.objects.filter(pk=hostile.pk).update(note="<script>alert(1)</script>")
    outsider = world.outsiders[Role.COMMUNITY_WORKER]
    registry.register_person(outsider, place=houses["b101"], name="乙方", id_number=OUTSIDER, residency="户籍")
    return {"adult": adult, "child": child, "hostile": hostile}


def _rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _exports() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERSONS_EXPORTED).count()


def test_persons_export_is_masked_scoped_and_logged_once(world, people, keeper, client):
    client.force_login(keeper)
    response = client.get(reverse("people:transfer_export_persons"))
    assert response.status_code == 200
    rows = _rows(response.content)
    text = str(rows)
    assert rows[0][:3] == ["姓名", "证件类型", "证件号码"]
    assert len(rows) == 4 and "乙方" not in text and OUTSIDER not in text  # side B is not the keeper's
    for secret in (ADULT, CHILD, "13800001234", "13912345678"):
        assert secret not in text
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["王秀英"][2] == "110101********1244" and by_name["王秀英"][6] == "138****1234"
    assert by_name["王秀英"][9:11] == ["1", "户主"] and by_name["王秀英"][13] == "独居老人"
    assert "李**" in by_name and by_name["李**"][4] == "2015"  # a minor: name, number and birth date masked
    event = AuditEvent.objects.get(action=AuditAction.PERSONS_EXPORTED)
    assert event.actor == keeper and event.data["count"] == 3 and event.data["unmasked"] is False


def test_unmasked_only_for_roles_allowed_and_still_logged_once(world, people, keeper, client):
    client.force_login(keeper)  # a community worker's work needs the numbers
    response = client.get(reverse("people:transfer_export_persons"), {"unmasked": "on"})
    assert response.status_code == 200 and ADULT in str(_rows(response.content))
    assert AuditEvent.objects.get(action=AuditAction.PERSONS_EXPORTED).data["unmasked"] is True
    command = world.users[Role.DISTRICT_COMMAND]  # reads the registry, never in the clear
    client.force_login(command)
    assert client.get(reverse("people:transfer_export_persons"), {"unmasked": "on"}).status_code == 403
    assert _exports() == 1
    masked = client.get(reverse("people:transfer_export_persons"))
    assert masked.status_code == 200 and ADULT not in str(_rows(masked.content)) and _exports() == 2
    client.force_login(world.users[Role.DEPARTMENT_HANDLER])
    assert client.get(reverse("people:transfer_export_persons")).status_code == 403
    assert client.get(reverse("people:transfer_export_houses")).status_code == 403
    assert _exports() == 2


def test_filters_narrow_the_export(world, people, houses, keeper, client):
    client.force_login(keeper)
    url = reverse("people:transfer_export_persons")
    assert len(_rows(client.get(url, {"tag": "living_alone_elderly"}).content)) == 2
    assert len(_rows(client.get(url, {"residency": "floating"}).content)) == 2
    assert len(_rows(client.get(url, {"place": houses["a102"].pk}).content)) == 2
    assert client.get(url, {"place": houses["b101"].pk}).status_code == 404  # a place outside the scope
    assert client.get(url, {"place": "abc"}).status_code == 404
    assert client.get(url, {"tag": "alien"}).status_code == 400
    assert [
        e.data["filters"] for e in AuditEvent.objects.filter(action=AuditAction.PERSONS_EXPORTED).order_by("pk")
    ] == [
        {"tag": "living_alone_elderly"},
        {"residency": "floating"},
        {"place": houses["a102"].code},
    ]


def test_hostile_strings_are_inert_in_xlsx_and_csv(world, people, keeper, client):
    client.force_login(keeper)
    response = client.get(reverse("people:transfer_export_persons"), {"unmasked": "on"})
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    hostile = next(c for c in cells if isinstance(c.value, str) and "cmd|" in c.value)
    assert hostile.value == "'" + HOSTILE and hostile.data_type == "s"  # text, not a formula
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == "<script>alert(1)</script>" and c.data_type == "s" for c in cells)
    response = client.get(reverse("people:transfer_export_persons"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "\n\"'=cmd|' /C calc'!A0\"" in text or "\n'=cmd|' /C calc'!A0" in text
    assert _exports() == 2


def test_houses_export_masks_owners_and_is_logged_once(world, people, houses, keeper, client):
    registry.update_house(keeper, houses["a101"], area="89.5", use="rented")
    registry.add_owner(keeper, houses["a101"], person=people["adult"], share="0.5")
    registry.add_owner(keeper, houses["a101"], organisation='=HYPERLINK("http://x")', share="0.5")
    client.force_login(keeper)
    rows = _rows(client.get(reverse("people:transfer_export_houses")).content)
    assert rows[0][:3] == ["房屋编码", "建筑面积", "房屋用途"]
    owners = {r[3]: r for r in rows[1:] if r[0] == houses["a101"].code}
    assert owners["王秀英"][4] == "110101********1244" and owners["王秀英"][2] == "出租"
    assert '\'=HYPERLINK("http://x")' in owners
    assert [r[0] for r in rows[1:] if r[0] != houses["a101"].code] == [houses["a102"].code]
    assert _exports() == 1
    event = AuditEvent.objects.get(action=AuditAction.PERSONS_EXPORTED)
    assert event.target_type == "people.house" and event.data["count"] == 2
    rows = _rows(client.get(reverse("people:transfer_export_houses"), {"unmasked": "on"}).content)
    assert ADULT in str(rows) and _exports() == 2
