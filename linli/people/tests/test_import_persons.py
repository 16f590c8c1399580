"""Importing persons and households from Excel: every bad row with its reason, all or nothing, bulk writes
that look like the actions' own (digests, encrypted numbers, visit clocks), one audit event of counts."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.crypto import digest
from linli.core.models import AuditEvent
from linli.people import imports
from linli.people.actions import registry
from linli.people.imports_format import PERSON_COLUMNS
from linli.people.models import CareTag, Household, HouseholdMember, Person
from linli.people.queries import find_by_id_number, find_by_phone

from .conftest import id_number
from .importing import PERSON_HEADERS, person_row, run_file, workbook

pytestmark = pytest.mark.django_db

HEAD = id_number("110101", "19450305", "124")
SPOUSE = id_number("110101", "19470811", "137")
CHILD = id_number("110101", "19800101", "457")


def family(code: str) -> list[list[object]]:
    return [
        person_row(
            name="王秀英",
            id_number=HEAD,
            phone="13800001234",
            residency="户籍",
            house=code,
            household="1",
            relation="户主",
            arrived_on="2001-06-01",
            tags="独居老人、高龄",
        ),
        person_row(
            name="张国强",
            id_number=SPOUSE,
            residency="户籍",
            house=code,
            household="1",
            relation="配偶",
            ethnicity="汉",
        ),
        person_row(
            name="李明",
            id_number=CHILD,
            phone="010 6512 3456",
            residency="常住",
            house=code,
            household="2",
            relation="户主",
        ),
    ]


def test_clean_file_writes_persons_households_tags_and_one_audit_event(world, houses, keeper):
    job = run_file(keeper, workbook(PERSON_HEADERS, family(houses["a101"].code)))
    assert job.status == "done", job.errors
    assert job.created["persons"] == 3 and job.created["households"] == 2 and job.created["tags"] == 2
    assert job.payload in (b"", memoryview(b"")) and job.checked_rows == job.total_rows == 3
    head = Person.objects.get(id_digest=digest(HEAD))
    assert (head.gender, head.birth_date, head.place_id) == ("female", datetime.date(1945, 3, 5), houses["a101"].pk)
    assert head.phone_digest == digest("13800001234") and head.phone == "13800001234"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [head.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert HEAD not in stored_id and "13800001234" not in stored_phone
    # The visit clock as the care actions set it: the shortest interval of the tags, from today.
    assert head.visit_every_days == 7
    assert head.next_visit_due == timezone.localdate() + datetime.timedelta(days=7)
    assert set(CareTag.objects.filter(person=head).values_list("tag", flat=True)) == {
        "living_alone_elderly",
        "advanced_age",
    }
    first = Household.objects.get(house=houses["a101"], number="1")
    relations = dict(HouseholdMember.objects.filter(household=first).values_list("person__name", "relation"))
    assert relations == {"王秀英": "head", "张国强": "spouse"}
    assert Person.objects.get(id_digest=digest(CHILD)).phone == "01065123456"
    events = AuditEvent.objects.filter(action=AuditAction.PERSONS_IMPORTED)
    assert events.count() == 1
    data = events.get().data
    assert data["created"]["persons"] == 3 and data["rows"] == 3
    assert HEAD not in str(data) and "王秀英" not in str(data) and "13800001234" not in str(data)
    # The search helpers find them by exact numbers, within the viewer's scope only.
    assert list(find_by_phone(keeper, "138 0000 1234")) == [head]
    assert list(find_by_id_number(world.users[Role.DISTRICT_COMMAND], HEAD.lower())) == [head]
    assert not find_by_id_number(world.outsiders[Role.COMMUNITY_WORKER], HEAD).exists()
    assert not find_by_phone(keeper, "not a phone").exists()


def test_progress_is_committed_every_few_rows(world, houses, keeper, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    rows = [
        person_row(
            name=f"居民{n}", birth_date=f"19{50 + n}-01-01", gender="男", residency="常住", house=houses["a102"].code
        )
        for n in range(7)
    ]
    with CaptureQueriesContext(connection) as queries:
        job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "done"
    counts = [
        int(m.group(1))
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "people_registryimport"')
        for m in [re.search(r'"checked_rows" = (\d+)', q["sql"])]
        if m
    ]
    assert counts == [0, 2, 4, 6, 7]


BAD_ROWS = {
    "check digit": (dict(id_number=HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")), "id_number", "not a valid identity"),
    "unknown house": (dict(house="NO-SUCH-HOUSE"), "house", "No house has this code"),
    "not a house": (dict(house="110101001001001E01B01"), "house", "not a house"),
    "future arrival": (dict(arrived_on="2999-01-01"), "arrived_on", "arrival date is impossible"),
    "left before arriving": (dict(arrived_on="2020-01-01", left_on="2019-01-01"), "left_on", "leaving date"),
    "birth date": (dict(birth_date="1950-01-01"), "birth_date", "does not match the identity number"),
    "bad date": (dict(arrived_on="2020-13-45"), "arrived_on", "is not a date"),
    "bad phone": (dict(phone="12345"), "phone", "phone number"),
    "no residency": (dict(residency=""), "residency", "required"),
    "unknown tag": (dict(tags="独居老人、外星人"), "tags", "Not a care tag: 外星人"),
    "relation without household": (dict(household="", relation="户主"), "household", "household number"),
    "markup in name": (dict(name="<script>alert(1)</script>"), "name", "plain text"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_each_bad_row_is_named_with_its_reason_and_nothing_is_written(world, houses, keeper, case):
    changes, field, reason = BAD_ROWS[case]
    rows = family(houses["a101"].code)
    values = dict(
        name="赵六", id_number=id_number("110101", "19700101", "011"), residency="常住", house=houses["a102"].code
    )
    values.update(changes)
    rows.insert(1, person_row(**values))
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "rejected"
    assert job.error_count == 1
    [[number, message]] = job.errors
    assert number == 3, job.errors
    header = {c.field: c.header for c in PERSON_COLUMNS}[field]
    assert message.startswith(header + "：") and reason in message, message
    assert not Person.objects.exists() and not Household.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONS_IMPORTED).exists()


def test_a_bad_number_is_masked_in_the_stored_reason(world, houses, keeper):
    bad = HEAD[:-1] + ("0" if HEAD[-1] != "0" else "1")
    job = run_file(
        keeper,
        workbook(
            PERSON_HEADERS,
            [person_row(name="甲", id_number=bad, residency="常住", house=houses["a101"].code, phone="1380000123")],
        ),
    )
    assert job.status == "rejected"
    assert bad not in str(job.errors) and bad[6:14] not in str(job.errors)
    assert "1380000123" not in str(job.errors)


def test_duplicates_in_the_file_name_the_other_row(world, houses, keeper):
    code = houses["a101"].code
    rows = [
        *family(code),
        person_row(name="冒名", id_number=HEAD, residency="常住", house=houses["a102"].code),  # row 5
        person_row(name="小明", birth_date="2015-05-05", gender="男", residency="常住", house=code),  # row 6
        person_row(name="小明", birth_date="2015-05-05", gender="男", residency="常住", house=code),  # row 7
    ]
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "rejected" and job.error_count == 2
    assert job.errors[0][0] == 5 and "same identity number as row 2" in job.errors[0][1]
    assert job.errors[1][0] == 7 and "same name and birth date in the same house as row 6" in job.errors[1][1]
    assert not Person.objects.exists()


def test_duplicates_against_the_registry(world, houses, keeper):
    registry.register_person(keeper, place=houses["a101"], name="旧人", id_number=HEAD, residency="户籍")
    registry.register_person(
        keeper, place=houses["a102"], name="小红", birth_date="2016-06-06", gender="女", residency="常住"
    )
    rows = [
        person_row(name="王秀英", id_number=HEAD, residency="户籍", house=houses["a102"].code),
        person_row(name="小红", birth_date="2016-06-06", gender="女", residency="常住", house=houses["a102"].code),
        person_row(name="小红", birth_date="2016-06-06", gender="女", residency="常住", house=houses["a101"].code),
    ]
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "rejected" and job.error_count == 2
    assert [e[0] for e in job.errors] == [2, 3]
    assert "identity number is already registered" in job.errors[0][1]
    assert "name and birth date is already registered here" in job.errors[1][1]
    assert Person.objects.count() == 2


def test_one_head_per_household_counting_the_registry(world, houses, keeper):
    code = houses["a101"].code
    rows = [
        *family(code),
        person_row(
            name="第二户主",
            birth_date="1960-01-01",
            gender="男",
            residency="户籍",
            house=code,
            household="1",
            relation="户主",
        ),
    ]
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "rejected" and job.errors == [[5, "与户主关系：Row 2 is already the head of this household"]]
    household = registry.create_household(keeper, house=houses["a102"], number="9")
    head = registry.register_person(
        keeper, place=houses["a102"], name="老户主", birth_date="1950-01-01", gender="男", residency="户籍"
    )
    registry.move_person(keeper, head, household=household, relation="户主")
    joining = [
        person_row(
            name="新成员",
            birth_date="1990-01-01",
            gender="女",
            residency="户籍",
            house=houses["a102"].code,
            household="9",
            relation="子女",
        ),
        person_row(
            name="新户主",
            birth_date="1991-01-01",
            gender="男",
            residency="户籍",
            house=houses["a102"].code,
            household="9",
            relation="户主",
        ),
    ]
    job = run_file(keeper, workbook(PERSON_HEADERS, joining))
    assert job.status == "rejected" and job.errors == [[3, "与户主关系：This household already has a head"]]
    job = run_file(keeper, workbook(PERSON_HEADERS, joining[:1]))
    assert job.status == "done" and job.created["households"] == 0
    assert HouseholdMember.objects.filter(household=household).count() == 2


def test_houses_outside_the_uploaders_area_are_refused(world, houses, keeper):
    rows = [person_row(name="越界", birth_date="1990-01-01", gender="男", residency="常住", house=houses["b101"].code)]
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "rejected"
    assert job.errors == [[2, "房屋编码：This house is outside the places you may change"]]
    outsider = world.outsiders[Role.COMMUNITY_WORKER]
    rows = [person_row(name="越界", birth_date="1990-01-01", gender="男", residency="常住", house=houses["a101"].code)]
    assert run_file(outsider, workbook(PERSON_HEADERS, rows)).status == "rejected"
    assert not Person.objects.exists()


def test_a_house_may_be_named_by_its_address(world, houses, keeper):
    from linli.places.actions import create_place

    unit = houses["a101"].parent
    house = create_place(world.admin, code=f"{unit.code}H103", name="103", level="house", parent=unit)
    rows = [
        person_row(name="按地址", birth_date="1990-01-01", gender="男", residency="常住", house="甲园小区1号楼1单元103")
    ]
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "done", job.errors
    assert Person.objects.get().place_id == house.pk


def test_the_job_refuses_an_uploader_who_lost_the_right(world, houses, keeper):
    from linli.accounts.models import Grant

    rows = [person_row(name="甲", birth_date="1990-01-01", gender="男", residency="常住", house=houses["a101"].code)]
    with translation.override("en"):
        job = imports.upload(keeper, "persons", io.BytesIO(workbook(PERSON_HEADERS, rows)), "a.xlsx")
        imports.confirm(keeper, job)
    Grant.objects.filter(user=keeper).delete()
    imports.run(job.pk)
    job.refresh_from_db()
    assert job.status == "rejected" and not Person.objects.exists()
    assert imports.run(job.pk) == "skipped"  # a second delivery of the task does nothing


def test_stored_reasons_are_capped_but_the_count_is_exact(world, houses, keeper, monkeypatch, client):
    monkeypatch.setattr(imports, "ERROR_CAP", 2)
    rows = [
        person_row(name=f"无类型{n}", birth_date="1990-01-01", gender="男", house=houses["a101"].code) for n in range(3)
    ]
    job = run_file(keeper, workbook(PERSON_HEADERS, rows))
    assert job.status == "rejected" and job.error_count == 3 and [e[0] for e in job.errors] == [2, 3]
    client.force_login(keeper)
    page = client.get(reverse("people:transfer_job", args=[job.pk])).content.decode()
    assert 'data-status="rejected"' in page and "hx-trigger" not in page and page.count("<tr>") == 3
