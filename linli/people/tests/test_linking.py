"""Linking a case's reporter to the registry (linli.people.linking): by the phone's digest, the only current
person with it, or among several the one heading a household, else nobody; made after routing, again when a
person is registered or their phone changes, and in bulk for the demo's history. The case page shows the
linked reporter's care tags to those who must reach or visit the person, and masked text to other staff."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.accounts.choices import Role
from linli.cases import actions
from linli.cases.actions import Submission, submit_request
from linli.cases.models import Case
from linli.cases.tasks import route_case
from linli.people import linking
from linli.people.actions.care import add_tag
from linli.people.actions.registry import create_household, move_person, register_person, update_person
from linli.people.choices import CareTagKind, Relation
from linli.people.models import Person
from linli.places.models import Place

from .conftest import id_number

pytestmark = pytest.mark.django_db

BUILDING_A = "110101001001001E01B01"


def register(keeper: Any, house: Place, name: str, phone: str, birth: str, capture: Any) -> Person:
    with capture(execute=True):
        return register_person(
            keeper, place=house, name=name, id_number=id_number("110101", birth, "123"), residency="registered",
            phone=phone,
        )  # fmt: skip


def household(keeper: Any, house: Place, head: Person, *others: Person) -> None:
    home = create_household(keeper, house=house)
    move_person(keeper, head, household=home, relation=Relation.HEAD)
    for person in others:
        move_person(keeper, person, household=home, relation=Relation.PARENT)


def hotline(world: Any, phone: str, text: str = "楼道里的灯坏了好几天，晚上上下楼很危险") -> Case:
    operator = world.users[Role.STREET_DISPATCHER]
    sub = Submission(channel="hotline", body=text, place=world.places[BUILDING_A], reporter_phone=phone, consent=True)
    case, _created = submit_request(operator, sub)
    return case


def linked(case: Case) -> int | None:
    return Case.objects.values_list("reporter_person_id", flat=True).get(pk=case.pk)


def test_routing_links_the_only_person_with_the_phone(
    world: Any, houses: Any, keeper: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wang = register(keeper, houses["a101"], "王秀英", "13900001111", "19500101", django_capture_on_commit_callbacks)
    register(keeper, houses["a102"], "李建国", "13900002222", "19480303", django_capture_on_commit_callbacks)
    case = hotline(world, "139 0000 1111")
    assert linked(case) is None  # routing has not run yet
    route_case.call(case.pk)
    assert linked(case) == wang.pk
    stranger = hotline(world, "13900009999")
    route_case.call(stranger.pk)
    assert linked(stranger) is None


def test_a_shared_number_links_the_head_or_nobody(
    world: Any, houses: Any, keeper: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    son = register(keeper, houses["a101"], "刘伟", "13900003333", "19750505", capture)
    mother = register(keeper, houses["a101"], "赵桂兰", "13900003333", "19460606", capture)
    household(keeper, houses["a101"], son, mother)
    case = hotline(world, "13900003333")
    assert linking.link_reporter(case) == son.pk and linked(case) == son.pk

    # Two heads of two households on one number: nobody, until one of them changes number.
    a = register(keeper, houses["a102"], "孙丽", "13900004444", "19800707", capture)
    other_keeper = world.outsiders[Role.COMMUNITY_WORKER]  # side B's community registers its own people
    b = register(other_keeper, houses["b101"], "孙强", "13900004444", "19780808", capture)
    household(keeper, houses["a102"], a)
    household(other_keeper, houses["b101"], b)
    shared = hotline(world, "13900004444")
    assert linking.link_reporter(shared) is None and linked(shared) is None
    with capture(execute=True):
        update_person(world.users[Role.COMMUNITY_WORKER], a, phone="13900005555")
    assert linked(shared) == b.pk
    # Nobody heading a household among several: nobody.
    c = register(keeper, houses["a102"], "周敏", "13900006666", "19900909", capture)
    d = register(keeper, houses["a102"], "周杰", "13900006666", "19920202", capture)
    assert linking.person_for(c.phone_digest) is None and d.phone_digest == c.phone_digest


def test_registering_links_open_requests_not_closed_ones(
    world: Any, houses: Any, keeper: Any, django_capture_on_commit_callbacks: Any
) -> None:
    open_case = hotline(world, "13900007777")
    closed = hotline(world, "13900007777", "小区垃圾桶满了没人清运，气味很大")
    Case.objects.filter(pk=closed.pk).update(state="closed")
    person = register(keeper, houses["a101"], "马玉兰", "13900007777", "19400404", django_capture_on_commit_callbacks)
    assert linked(open_case) == person.pk and linked(closed) is None
    # Leaving the community unlinks the open request; the person is no longer current.
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        update_person(keeper, person, left_on=today, arrived_on=today - datetime.timedelta(days=400))
    assert linked(open_case) is None


def test_a_web_request_without_a_phone_links_through_the_account(
    world: Any, houses: Any, keeper: Any, django_capture_on_commit_callbacks: Any
) -> None:
    resident = world.users[Role.RESIDENT]
    person = register(keeper, houses["a101"], "张丽", resident.phone, "19820101", django_capture_on_commit_callbacks)
    sub = Submission(channel="web", body="单元门禁坏了，外人随便进出", place=world.places[BUILDING_A], consent=True)
    case, _created = submit_request(resident, sub)
    assert case.reporter_phone_digest == "" and linking.link_reporter(case) == person.pk


def test_link_all_follows_the_same_rule(
    world: Any, houses: Any, keeper: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    cases = {phone: hotline(world, phone) for phone in ("13900001212", "13900003434", "13900005656", "13900007878")}
    one = register(keeper, houses["a101"], "吴凤英", "13900001212", "19450505", capture)
    head = register(keeper, houses["a102"], "郑海涛", "13900003434", "19700101", capture)
    father = register(keeper, houses["a102"], "郑德明", "13900003434", "19440202", capture)
    household(keeper, houses["a102"], head, father)
    register(world.outsiders[Role.COMMUNITY_WORKER], houses["b101"], "冯静", "13900005656", "19850303", capture)
    register(world.outsiders[Role.COMMUNITY_WORKER], houses["b102"], "冯敏", "13900005656", "19860404", capture)
    Case.objects.update(reporter_person=None)
    assert linking.link_all() == 2
    assert linked(cases["13900001212"]) == one.pk and linked(cases["13900003434"]) == head.pk
    assert linked(cases["13900005656"]) is None and linked(cases["13900007878"]) is None
    assert linking.link_all() == 0


def test_the_case_page_shows_care_tags_to_the_lead_unit_and_masks_them_for_others(
    client: Any, world: Any, houses: Any, keeper: Any, django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    person = register(keeper, houses["a101"], "钱秀珍", "13900008888", "19380808", django_capture_on_commit_callbacks)
    case = hotline(world, "13900008888")
    actions.dispatch_case(world.users[Role.STREET_DISPATCHER], case, unit=world.units["dept_a"])
    plain = hotline(world, "13900000123", "路边井盖松动，车开过去哐哐响")
    actions.dispatch_case(world.users[Role.STREET_DISPATCHER], plain, unit=world.units["dept_a"])
    handler = world.users[Role.DEPARTMENT_HANDLER]
    client.force_login(handler)
    client.get(reverse("cases:case", args=[plain.pk]))
    with django_assert_max_num_queries(60) as unlinked_queries:
        client.get(reverse("cases:case", args=[plain.pk]))
    add_tag(keeper, person, tag=CareTagKind.ADVANCED_AGE, source="civil_affairs")
    add_tag(keeper, person, tag=CareTagKind.LIVING_ALONE_ELDERLY, source="home_visit")
    linking.link_reporter(case)

    # A linked reporter with tags costs a constant three queries: the tags, and the predicate's two.
    with django_assert_max_num_queries(len(unlinked_queries) + 3):
        text = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    shown = section(text)
    assert str(CareTagKind.ADVANCED_AGE.label) in shown and str(CareTagKind.LIVING_ALONE_ELDERLY.label) in shown
    assert person.id_number not in text and "13900008888" not in text and "19380808" not in text

    for viewer in (world.users[Role.GRID_WORKER],):  # the grid worker who visits the person sees them too
        client.force_login(viewer)
        assert str(CareTagKind.ADVANCED_AGE.label) in section(client.get(reverse("cases:case", args=[case.pk])))
    client.force_login(world.users[Role.STREET_DISPATCHER])  # staff outside the lead unit: masked
    masked = section(client.get(reverse("cases:case", args=[case.pk])))
    assert masked and str(CareTagKind.ADVANCED_AGE.label) not in masked
    assert str(CareTagKind.LIVING_ALONE_ELDERLY.label) not in masked
    client.force_login(world.outsiders[Role.DEPARTMENT_HANDLER])  # another unit cannot read the case at all
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 404
    # An unlinked reporter, or one without tags in force: nothing is said.
    client.force_login(handler)
    assert section(client.get(reverse("cases:case", args=[plain.pk]))) == ""


def section(page: Any) -> str:
    import re

    text = page if isinstance(page, str) else page.content.decode()
    found = re.search(r'<dd id="reporter-care">(.*?)</dd>', text, re.S)
    return found.group(1) if found else ""
