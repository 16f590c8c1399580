"""The registry pages for each role: the search box by every key, masking on every page for every reader,
the logged reveal for the roles that may, and 404 for records outside the reader's scope."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.actions import care, registry
from linli.people.models import Person

from .pages_world import (
    CHILD_ID,
    ELDER_ID,
    ELDER_PHONE,
    NOT_READERS,
    OTHER_PHONE,
    READERS,
    REVEALERS,
    Folk,
    client_for,
    make_folk,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def folk(world: Any, houses: Any, keeper: Any) -> Folk:
    return make_folk(world, houses, keeper)


def found(response: Any) -> set[int]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return {int(pk) for pk in re.findall(r'class="person-row" data-person="(\d+)"', response.content.decode())}


def reveals() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).count()


@pytest.mark.parametrize(
    "text",
    ["秀英", ELDER_PHONE, "138 0000 1234", "+86 138-0000-1234", ELDER_ID, ELDER_ID.lower(), "1号楼1单元101", "101室"],
)
def test_search_finds_by_each_key(world: Any, folk: Folk, keeper: Any, text: str) -> None:
    client = client_for(keeper)
    assert folk.elder.pk in found(client.get(reverse("people:search"), {"q": text}))


def test_search_by_house_code_finds_everyone_living_there_and_nobody_else(world: Any, folk: Folk, keeper: Any) -> None:
    client = client_for(keeper)
    assert found(client.get(reverse("people:search"), {"q": folk.house.code})) == {folk.elder.pk, folk.child.pk}
    assert found(client.get(reverse("people:search"), {"q": "1号楼1单元102"})) == set()
    assert found(client.get(reverse("people:search"), {"q": "13800009999"})) == set()  # no such phone
    assert found(client.get(reverse("people:search"), {"q": CHILD_ID})) == {folk.child.pk}


def test_filters_tag_residency_and_left(world: Any, folk: Folk, keeper: Any) -> None:
    client = client_for(keeper)
    url = reverse("people:search")
    assert found(client.get(url, {"tag": "living_alone_elderly"})) == {folk.elder.pk}
    assert found(client.get(url, {"residency": "floating"})) == set()
    registry.person_left(keeper, folk.child, reason="搬走")
    assert found(client.get(url)) == {folk.elder.pk}
    assert found(client.get(url, {"status": "left"})) == {folk.child.pk}
    assert found(client.get(url, {"status": "all"})) == {folk.elder.pk, folk.child.pk}
    bad = client.get(url, {"tag": "nonsense"})
    assert bad.status_code == 400 and 'id="search-errors"' in bad.content.decode()


def test_the_search_never_crosses_scope(world: Any, folk: Folk) -> None:
    for role in READERS:
        client = client_for(world.users[role])
        theirs = role == Role.DISTRICT_COMMAND  # side B is in the same district; its outsider is 西城区's
        assert (folk.other.pk in found(client.get(reverse("people:search"), {"q": OTHER_PHONE}))) == theirs
        assert (folk.other.pk in found(client.get(reverse("people:search"), {"q": "李四"}))) == theirs
        outsider = client_for(world.outsiders[role])
        assert folk.elder.pk not in found(outsider.get(reverse("people:search"), {"q": ELDER_PHONE}))
        assert folk.elder.pk not in found(outsider.get(reverse("people:search")))


def test_the_list_reads_a_bounded_number_of_queries(
    world: Any, houses: Any, keeper: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(keeper)
    url = reverse("people:search")
    for n in range(3):
        person = registry.register_person(
            keeper, place=houses["a102"], name=f"测试{n}", residency="常住", birth_date="1950-01-01"
        )
        care.add_tag(keeper, person, tag="advanced_age", source="civil_affairs")
    client.get(url)  # sessions and caches warmed
    with django_assert_max_num_queries(12) as few:
        assert len(found(client.get(url))) == 3
    for n in range(3, 60):
        person = registry.register_person(
            keeper, place=houses["a102"], name=f"测试{n:02d}", residency="常住", birth_date="1950-01-01"
        )
        care.add_tag(keeper, person, tag="advanced_age", source="civil_affairs")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(found(response)) == 50 and 'id="next-page"' in response.content.decode()
    assert len(found(client.get(url, {"page": "2"}))) == 10


@pytest.mark.parametrize("role", READERS)
def test_masked_everywhere_for_every_reader(world: Any, folk: Folk, role: str) -> None:
    client = client_for(world.users[role])
    pages = [
        client.get(reverse("people:search")),
        client.get(reverse("people:person", args=[folk.elder.pk])),
        client.get(reverse("people:person", args=[folk.child.pk])),
        client.get(reverse("people:household", args=[folk.household.pk])),
        client.get(reverse("people:house", args=[folk.house.pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert ELDER_ID not in html and ELDER_PHONE not in html and CHILD_ID not in html
        assert "王小明" not in html and "2018-01-01" not in html  # a minor: family name and year only
        assert "王**" in html
    elder = pages[1].content.decode()
    assert "138****1234" in elder and ELDER_ID[:6] + "********" + ELDER_ID[-4:] in elder and "1945-03-05" in elder
    child = pages[2].content.decode()
    assert 'id="sensitive-badge"' in child and "**************" + CHILD_ID[-4:] in child
    assert ('data-action="reveal"' in elder) == (role in REVEALERS)


@pytest.mark.parametrize("role", READERS)
def test_reveal_only_for_permitted_roles_one_log_row_each(world: Any, folk: Folk, role: str) -> None:
    client = client_for(world.users[role])
    url = reverse("people:reveal", args=[folk.elder.pk])
    before = reveals()
    response = client.post(url, HTTP_HX_REQUEST="true")
    if role not in REVEALERS:
        assert response.status_code == 403 and reveals() == before
        return
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="identity">')
    assert ELDER_ID in html and ELDER_PHONE in html and 'id="revealed"' in html
    assert reveals() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).latest("id")
    assert event.actor_id == world.users[role].pk and event.target_id == str(folk.elder.pk)
    assert ELDER_ID not in str(event.data) and ELDER_PHONE not in str(event.data)
    whole = client.post(url)  # without htmx: the whole card, revealed
    assert whole.status_code == 200 and ELDER_ID in whole.content.decode() and reveals() == before + 2


def test_a_minors_record_asks_for_a_reason_first(world: Any, folk: Folk, keeper: Any) -> None:
    client = client_for(keeper)
    url = reverse("people:reveal", args=[folk.child.pk])
    before = reveals()
    card = client.get(reverse("people:person", args=[folk.child.pk])).content.decode()
    assert 'name="reason"' in card and "required" in card
    refused = client.post(url, HTTP_HX_REQUEST="true")
    html = refused.content.decode()
    assert refused.status_code == 200 and 'id="reason-errors"' in html and CHILD_ID not in html
    assert reveals() == before
    assert client.post(url).status_code == 400 and reveals() == before
    shown = client.post(url, {"reason": "办理入学证明"}, HTTP_HX_REQUEST="true").content.decode()
    assert CHILD_ID in shown and "王小明" in shown and reveals() == before + 1
    event = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).latest("id")
    assert event.data["reason"] == "办理入学证明" and event.data["sensitive"] is True


@pytest.mark.parametrize("role", READERS)
def test_outsiders_get_404_on_every_record(world: Any, folk: Folk, role: str) -> None:
    client = client_for(world.outsiders[role])
    before = reveals()
    elder = folk.elder.pk
    for url in (
        reverse("people:person", args=[elder]),
        reverse("people:household", args=[folk.household.pk]),
        reverse("people:house", args=[folk.house.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("people:reveal", args=[elder]),
        reverse("people:subject_copy", args=[elder]),
        reverse("people:person_act", args=[elder, "add_tag"]),
        reverse("people:household_act", args=[folk.household.pk, "add_member"]),
        reverse("people:house_act", args=[folk.house.pk, "house"]),
    ):
        assert client.post(url, {"tag": "disabled", "source": "home_visit", "use": "vacant"}).status_code == 404, url
    assert reveals() == before and not folk.elder.care_tags.filter(tag="disabled").exists()


@pytest.mark.parametrize("role", NOT_READERS)
def test_roles_without_the_registry_are_refused(world: Any, folk: Folk, role: str) -> None:
    client = client_for(world.users[role])
    assert client.get(reverse("people:search")).status_code == 403
    assert client.get(reverse("people:person", args=[folk.elder.pk])).status_code == 403
    assert client.post(reverse("people:reveal", args=[folk.elder.pk])).status_code == 403
    assert 'id="people-link"' not in client.get(reverse("home")).content.decode()


def test_readers_who_may_not_change_get_403_on_actions(world: Any, folk: Folk) -> None:
    for role in (Role.GRID_WORKER, Role.STREET_DISPATCHER):
        client = client_for(world.users[role])
        card = client.get(reverse("people:person", args=[folk.elder.pk])).content.decode()
        assert 'data-action-panel="add_tag"' not in card and 'data-action="subject-copy"' not in card
        response = client.post(
            reverse("people:person_act", args=[folk.elder.pk, "add_tag"]), {"tag": "disabled", "source": "home_visit"}
        )
        assert response.status_code == 403
        assert client.post(reverse("people:subject_copy", args=[folk.elder.pk])).status_code == 403
    assert not folk.elder.care_tags.filter(tag="disabled").exists()
    assert 'id="people-link"' in client.get(reverse("home")).content.decode()


def test_a_row_from_another_person_is_a_404(world: Any, folk: Folk, keeper: Any) -> None:
    client = client_for(keeper)
    tag = folk.elder.care_tags.get()
    url = reverse("people:person_act_on", args=[folk.child.pk, "end_tag", tag.pk])
    assert client.post(url).status_code == 404
    assert client.post(reverse("people:person_act", args=[folk.elder.pk, "nonsense"])).status_code == 404
    tag.refresh_from_db()
    assert tag.valid_to is None


def test_the_card_shows_tags_household_house_and_reported_requests(world: Any, folk: Folk, keeper: Any) -> None:
    from linli.cases.models import Case
    from linli.cases.tests.conftest import submit

    case = submit(world, world.users[Role.RESIDENT], reporter_phone=ELDER_PHONE)
    Case.objects.filter(pk=case.pk).update(reporter_person=folk.elder)
    registry.add_owner(keeper, folk.house, person=folk.elder, share="1", area="60")
    html = client_for(keeper).get(reverse("people:person", args=[folk.elder.pk])).content.decode()
    assert 'data-tag="living_alone_elderly" data-in-force="1"' in html
    assert f'data-member="{folk.child.pk}"' in html and 'id="household-link"' in html
    assert 'id="house-link"' in html and "data-owner=" in html
    assert f'data-case="{case.pk}"' in html and case.number in html
    handler = client_for(world.outsiders[Role.STREET_DISPATCHER])
    assert handler.get(reverse("people:person", args=[folk.elder.pk])).status_code == 404
    assert Person.objects.filter(pk=folk.elder.pk).exists()
