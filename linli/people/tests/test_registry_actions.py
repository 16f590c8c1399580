"""The registry's actions: checks, history kept, visit clocks, one access-log row per reveal."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.crypto import digest
from linli.core.models import AuditEvent
from linli.people.actions import care, privacy, registry
from linli.people.models import CareTag, HouseholdMember, Person
from linli.people.presenting import person_fields

from .conftest import id_number

pytestmark = pytest.mark.django_db


def test_register_derives_gender_and_birth_and_stores_numbers_encrypted(world, houses, keeper):
    number = id_number("110101", "19450305", "123")
    person = registry.register_person(
        keeper, place=houses["a101"], name="王秀英", id_number=number, phone="13800001234", residency="户籍"
    )
    assert (person.gender, person.birth_date) == ("male", datetime.date(1945, 3, 5))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_digest FROM people_person WHERE id = %s", [person.pk])
        stored_id, stored_phone, stored_digest = cursor.fetchone()
    assert number not in stored_id and "13800001234" not in stored_phone
    assert stored_digest == digest(number)
    assert Person.objects.get(id_digest=digest(number)).pk == person.pk


def test_bad_fields_refused_all_at_once_and_nothing_written(world, houses, keeper):
    bad = id_number("110101", "19450305", "123")[:-1] + "0"
    with pytest.raises(ValidationError) as caught:
        registry.register_person(
            keeper, place=houses["a101"], name="", id_number=bad, phone="12345", residency="火星", ethnicity="精灵族"
        )
    assert set(caught.value.message_dict) == {"name", "id_number", "phone", "residency", "ethnicity"}
    assert not Person.objects.exists()


def test_duplicates_by_id_and_by_name_birth_house(world, houses, keeper):
    number = id_number("110101", "19800101", "456")
    registry.register_person(keeper, place=houses["a101"], name="李明", id_number=number, residency="常住")
    with pytest.raises(ValidationError) as by_number:
        registry.register_person(keeper, place=houses["a102"], name="李明明", id_number=number, residency="常住")
    assert set(by_number.value.message_dict) == {"id_number"}
    with pytest.raises(ValidationError) as by_name:
        registry.register_person(
            keeper, place=houses["a101"], name="李明", birth_date="1980-01-01", gender="男", residency="常住"
        )
    assert set(by_name.value.message_dict) == {"name"}


def test_outsider_cannot_register_or_change(world, houses, keeper):
    outsider = world.outsiders[Role.COMMUNITY_WORKER]
    with pytest.raises(PermissionDenied):
        registry.register_person(outsider, place=houses["a101"], name="张三", residency="流动", birth_date="1990-01-01")
    person = registry.register_person(
        keeper, place=houses["a101"], name="张三", residency="流动", birth_date="1990-01-01"
    )
    with pytest.raises(PermissionDenied):
        registry.update_person(outsider, person, name="张四")
    with pytest.raises(PermissionDenied):  # a grid worker reads and visits; upkeep is community staff's
        registry.update_person(world.users[Role.GRID_WORKER], person, name="张四")


def test_moving_keeps_history(world, houses, keeper):
    household = registry.create_household(keeper, house=houses["a101"], number="H001")
    other = registry.create_household(keeper, house=houses["a102"], number="H002")
    person = registry.register_person(
        keeper, place=houses["a101"], name="赵六", residency="户籍", birth_date="1970-01-01"
    )
    registry.move_person(keeper, person, household=household, relation="户主")
    registry.move_person(keeper, person, household=other, relation="head")
    rows = list(HouseholdMember.objects.filter(person=person).order_by("pk"))
    assert [r.household_id for r in rows] == [household.pk, other.pk]
    assert rows[0].left_on is not None and rows[1].left_on is None
    registry.person_left(keeper, person)
    person.refresh_from_db()
    assert person.left_on == timezone.localdate()
    assert HouseholdMember.objects.filter(person=person).count() == 2  # ended, not deleted


def test_visit_clock_follows_tags_and_visits(world, houses, keeper):
    person = registry.register_person(
        keeper, place=houses["a101"], name="孙奶奶", residency="户籍", birth_date="1938-02-02"
    )
    start = timezone.localdate() - datetime.timedelta(days=40)
    care.add_tag(keeper, person, tag="advanced_age", source="civil_affairs", valid_from=start)
    person.refresh_from_db()
    assert person.next_visit_due == start + datetime.timedelta(days=30)  # overdue already
    care.add_tag(keeper, person, tag="living_alone_elderly", source="home_visit", valid_from=start)
    person.refresh_from_db()
    assert person.visit_every_days == 7
    grid = world.users[Role.GRID_WORKER]
    visit = care.log_visit(grid, person, note="身体好")
    assert visit.late
    person.refresh_from_db()
    assert person.next_visit_due == timezone.localdate() + datetime.timedelta(days=7)
    with pytest.raises(PermissionDenied):
        care.log_visit(world.outsiders[Role.GRID_WORKER], person)


def test_every_reveal_is_one_access_log_row_and_minors_need_a_reason(world, houses, keeper):
    adult = registry.register_person(
        keeper, place=houses["a101"], name="周强", id_number=id_number("110101", "19800101", "457"), residency="户籍"
    )
    child = registry.register_person(
        keeper, place=houses["a101"], name="周小明", id_number=id_number("110101", "20180101", "458"), residency="户籍"
    )
    shown = person_fields(child)
    assert shown["name"] == "周**" and shown["id_number"].startswith("*" * 14) and shown["birth_date"] == "2018"
    assert person_fields(adult)["id_number"] == "110101********" + adult.id_number[-4:]
    before = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).count()
    assert privacy.reveal_person(keeper, adult)["id_number"] == adult.id_number
    with pytest.raises(ValidationError):
        privacy.reveal_person(keeper, child)
    privacy.reveal_person(keeper, child, reason="办理入学证明")
    with pytest.raises(PermissionDenied):
        privacy.reveal_person(world.users[Role.DISTRICT_COMMAND], adult)
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).count() == before + 2


def test_the_audit_chain_never_holds_a_persons_name(world, houses, keeper):
    person = registry.register_person(
        keeper, place=houses["a101"], name="欧阳娜娜", residency="户籍", birth_date="1960-05-05"
    )
    registry.update_person(keeper, person, phone="13800005678")
    care.add_tag(keeper, person, tag="disabled", source="disabled_federation")
    rows = AuditEvent.objects.filter(target_type="people.person", target_id=str(person.pk))
    assert rows.count() == 3
    assert all("欧阳" not in row.target_repr and "13800005678" not in str(row.data) for row in rows)


def test_a_tag_ending_on_its_planned_date_stops_the_clock_on_the_daily_refresh(world, houses, keeper):
    person = registry.register_person(
        keeper, place=houses["a101"], name="钱爷爷", residency="户籍", birth_date="1940-01-01"
    )
    today = timezone.localdate()
    care.add_tag(
        keeper,
        person,
        tag="key_concern",
        source="community_assessment",
        valid_from=today - datetime.timedelta(days=20),
        valid_to=today + datetime.timedelta(days=1),
    )
    person.refresh_from_db()
    assert person.next_visit_due is not None
    CareTag.objects.filter(person=person).update(valid_to=today - datetime.timedelta(days=2))  # days pass
    assert care.refresh_lapsed_clocks(today) == 1
    person.refresh_from_db()
    assert person.next_visit_due is None and person.visit_every_days is None
    assert care.refresh_lapsed_clocks(today) == 0
