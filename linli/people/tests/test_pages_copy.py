"""The subject's copy (everything held, in the clear, one access-log row) and stored hostile strings, which
stay inert on every page and in the copy."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from linli.accounts.choices import Role
from linli.cases.models import Case
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.actions import care, records, registry
from linli.people.models import CareTag, Household, Ownership, Person

from .pages_world import CHILD_ID, ELDER_ID, ELDER_PHONE, KEEPERS, READERS, Folk, client_for, make_folk

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def folk(world: Any, houses: Any, keeper: Any) -> Folk:
    return make_folk(world, houses, keeper)


def copies() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERSON_DATA_COPIED).count()


def cells(data: bytes) -> dict[str, list[list[Any]]]:
    book = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def test_subject_copy_holds_everything_in_the_clear_and_logs_once(world: Any, folk: Folk, keeper: Any) -> None:
    from linli.cases.tests.conftest import submit

    records.record_consent(keeper, folk.elder, purpose="care", channel="paper")
    records.record_party_membership(keeper, folk.elder, organisation="某党支部", reported_on="2025-03-01")
    registry.add_owner(keeper, folk.house, person=folk.elder, share="1", area="60", certificate="京房权证001")
    care.log_visit(world.users[Role.GRID_WORKER], folk.elder, note="身体好")
    case = submit(world, world.users[Role.RESIDENT], reporter_phone=ELDER_PHONE)
    Case.objects.filter(pk=case.pk).update(reporter_person=folk.elder)
    client = client_for(keeper)
    before = copies()
    assert client.get(reverse("people:subject_copy", args=[folk.elder.pk])).status_code == 405  # a GET logs nothing
    response = client.post(reverse("people:subject_copy", args=[folk.elder.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert copies() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.PERSON_DATA_COPIED).latest("id")
    assert event.actor_id == keeper.pk and event.target_id == str(folk.elder.pk)
    book = cells(response.content)
    flat = [str(v) for rows in book.values() for row in rows for v in row if v is not None]
    for expected in (
        ELDER_ID,
        ELDER_PHONE,
        "王秀英",
        "某党支部",
        "京房权证001",
        "身体好",
        case.number,
        case.title,
        "H001",
    ):
        assert expected in flat, expected
    assert len(book) == 9
    assert CHILD_ID not in flat  # her grandson's number is his, not hers


@pytest.mark.parametrize("role", READERS)
def test_subject_copy_only_for_community_staff(world: Any, folk: Folk, role: str) -> None:
    client = client_for(world.users[role])
    before = copies()
    response = client.post(reverse("people:subject_copy", args=[folk.elder.pk]))
    assert response.status_code == (200 if role in KEEPERS else 403)
    assert copies() == before + (1 if role in KEEPERS else 0)
    card = client.get(reverse("people:person", args=[folk.elder.pk])).content.decode()
    assert ('data-action="subject-copy"' in card) == (role in KEEPERS)


def test_stored_hostile_strings_are_inert_on_every_page_and_in_the_copy(world: Any, folk: Folk, keeper: Any) -> None:
    # Stored past the actions' own checks (an old import, a direct fix in the database): the pages must still
    # show them as text.
    Person.objects.filter(pk=folk.elder.pk).update(name=SCRIPT, note=IMG, ethnicity="=1+2")
    Household.objects.filter(pk=folk.household.pk).update(number=IMG)
    CareTag.objects.filter(person=folk.elder).update(source_note=SCRIPT)
    Ownership.objects.create(house=folk.house, organisation=IMG, share="0.5")
    records.record_party_membership(keeper, folk.elder, organisation="支部")
    folk.elder.party.update(organisation=FORMULA)
    client = client_for(keeper)
    pages = [
        client.get(reverse("people:search"), {"q": "script"}),
        client.get(reverse("people:person", args=[folk.elder.pk])),
        client.get(reverse("people:household", args=[folk.household.pk])),
        client.get(reverse("people:house", args=[folk.house.pk])),
        client.post(reverse("people:reveal", args=[folk.elder.pk]), HTTP_HX_REQUEST="true"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].content.decode()
    card = pages[1].content.decode()
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in card
    data = client.post(reverse("people:subject_copy", args=[folk.elder.pk])).content
    book = load_workbook(io.BytesIO(data))
    values = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert "'" + FORMULA in values and FORMULA not in values and "'=1+2" in values
    assert all(c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
