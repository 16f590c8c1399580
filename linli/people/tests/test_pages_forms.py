"""The cards' forms: each calls its action; bad input comes back under the field it concerns, in the user's
language, with nothing written; moving keeps the history; consents and party records write one audit event."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.people.actions import records
from linli.people.models import CareTag, Consent, House, HouseholdMember, Ownership, PartyMembership, Person, Tenancy

from .conftest import id_number
from .pages_world import ELDER_ID, ELDER_PHONE, Folk, client_for, make_folk

pytestmark = pytest.mark.django_db


@pytest.fixture
def folk(world: Any, houses: Any, keeper: Any) -> Folk:
    return make_folk(world, houses, keeper)


@pytest.fixture
def client(keeper: Any) -> Any:
    return client_for(keeper)


def act(client: Any, kind: str, pk: int, name: str, data: dict[str, Any], obj: int | None = None) -> Any:
    args = [pk, name, obj] if obj else [pk, name]
    return client.post(reverse(f"people:{kind}_act{'_on' if obj else ''}", args=args), data)


def field_errors(response: Any, field: str) -> str:
    """The error list Django renders right before the field's input, inside the field's own div."""
    html = response.content.decode()
    match = re.search(rf'<ul class="errorlist" id="(?:id_|[a-z_]+-){field}_error">(.*?)</ul>', html, re.S)
    assert match, f"no errors shown next to {field}"
    return match.group(1)


def zh(message: str) -> str:
    with override("zh-hans"):
        return gettext(message)


def test_edit_with_bad_identity_number_shows_the_error_at_the_field_and_changes_nothing(
    folk: Folk, client: Any
) -> None:
    bad = ELDER_ID[:-1] + ("0" if ELDER_ID[-1] != "0" else "1")
    data = {"id_type": "resident_id", "id_number": bad, "residency": "registered", "name": "王秀兰"}
    response = act(client, "person", folk.elder.pk, "edit", data)
    assert response.status_code == 400
    assert zh("“%(value)s” is not a valid identity number") % {"value": bad} in field_errors(response, "id_number")
    assert 'data-action-panel="edit" id="panel-edit" open' in response.content.decode()
    folk.elder.refresh_from_db()
    assert folk.elder.name == "王秀英"


def test_edit_keeps_what_is_left_empty_and_never_prefills_masked_values(folk: Folk, client: Any) -> None:
    card = client.get(reverse("people:person", args=[folk.child.pk])).content.decode()
    form = card[card.index('id="panel-edit"') :]
    assert 'value="王小明"' not in form and "2018-01-01" not in form
    response = act(
        client,
        "person",
        folk.elder.pk,
        "edit",
        {"id_type": "resident_id", "residency": "resident", "ethnicity": "回族", "name": "王秀英"},
    )
    assert response.status_code == 302
    folk.elder.refresh_from_db()
    assert (folk.elder.residency, folk.elder.ethnicity, folk.elder.phone) == ("resident", "回族", ELDER_PHONE)
    event = AuditEvent.objects.filter(action=AuditAction.PERSON_UPDATED).latest("id")
    assert ELDER_PHONE not in str(event.data)


def test_register_needs_a_house_in_scope_and_writes_nothing_on_error(world: Any, folk: Folk, client: Any) -> None:
    url = reverse("people:register")
    bad = client.post(url, {"place": "1号楼1单元101", "name": "", "phone": "12345", "id_type": "resident_id"})
    assert bad.status_code == 400
    assert field_errors(bad, "phone") and field_errors(bad, "name") and field_errors(bad, "residency")
    far = client.post(
        url, {"place": folk.other_house.code, "name": "赵六", "residency": "resident", "id_type": "resident_id"}
    )
    assert far.status_code == 400 and zh("No house in your area matches") in field_errors(far, "place")
    count = Person.objects.count()
    # The household is wrong after the person checked out: the registration is rolled back with it.
    wrong = client.post(
        url,
        {
            "place": "1号楼1单元101",
            "household": "H999",
            "name": "赵六",
            "residency": "resident",
            "id_type": "resident_id",
        },
    )
    assert wrong.status_code == 400 and field_errors(wrong, "household")
    assert Person.objects.count() == count


def test_register_into_a_household_from_its_card(world: Any, folk: Folk, client: Any) -> None:
    card = client.get(reverse("people:household", args=[folk.household.pk])).content.decode()
    link = re.search(r'href="([^"]+)" id="register-member"', card).group(1).replace("&amp;", "&")
    form = client.get(link).content.decode()
    assert f'value="{folk.house.code}"' in form and 'value="H001"' in form
    number = id_number("110101", "19720202", "331")
    response = client.post(
        reverse("people:register"),
        {
            "place": folk.house.code,
            "household": "H001",
            "relation": "child",
            "name": "王建国",
            "id_type": "resident_id",
            "id_number": number,
            "residency": "registered",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="王建国")
    assert response["Location"] == reverse("people:person", args=[person.pk])
    assert HouseholdMember.objects.get(person=person, left_on__isnull=True).household == folk.household


def test_moving_keeps_history_and_the_card_shows_it(world: Any, houses: Any, folk: Folk, client: Any) -> None:
    new_home = act(client, "house", houses["a102"].pk, "household", {"number": "H002", "kind": "family"})
    assert new_home.status_code == 302
    refused = act(client, "person", folk.elder.pk, "move", {"to": "1号楼1单元999", "household": "H002"})
    assert refused.status_code == 400 and field_errors(refused, "to")
    moved = act(
        client, "person", folk.elder.pk, "move", {"to": "1号楼1单元102", "household": "H002", "relation": "head"}
    )
    assert moved.status_code == 302
    rows = list(HouseholdMember.objects.filter(person=folk.elder).order_by("pk"))
    assert [r.household.number for r in rows] == ["H001", "H002"]
    assert rows[0].left_on == timezone.localdate() and rows[1].left_on is None
    folk.elder.refresh_from_db()
    assert folk.elder.place == houses["a102"]
    card = client.get(reverse("people:person", args=[folk.elder.pk])).content.decode()
    assert f'data-past-household="{folk.household.pk}"' in card
    old = client.get(reverse("people:household", args=[folk.household.pk])).content.decode()
    assert 'id="past-members"' in old and f'data-member="{folk.elder.pk}"' in old


def test_mark_as_left_with_an_impossible_date_is_refused(folk: Folk, client: Any) -> None:
    response = act(client, "person", folk.elder.pk, "left", {"on": "2999-01-01", "reason": "搬走"})
    assert response.status_code == 400 and zh("The leaving date is impossible") in response.content.decode()
    folk.elder.refresh_from_db()
    assert folk.elder.left_on is None
    assert act(client, "person", folk.elder.pk, "left", {"reason": "搬走"}).status_code == 302
    folk.elder.refresh_from_db()
    assert folk.elder.left_on == timezone.localdate() and not folk.elder.care_tags.filter(valid_to__isnull=True)


def test_care_tags_added_refused_and_ended(folk: Folk, client: Any) -> None:
    twice = act(client, "person", folk.elder.pk, "add_tag", {"tag": "living_alone_elderly", "source": "home_visit"})
    assert twice.status_code == 400 and field_errors(twice, "tag")
    backwards = act(
        client,
        "person",
        folk.elder.pk,
        "add_tag",
        {"tag": "disabled", "source": "disabled_federation", "valid_from": "2026-01-10", "valid_to": "2026-01-01"},
    )
    assert backwards.status_code == 400 and field_errors(backwards, "valid_to")
    unknown = act(client, "person", folk.elder.pk, "add_tag", {"tag": "nonsense", "source": "home_visit"})
    assert unknown.status_code == 400 and field_errors(unknown, "tag")
    assert CareTag.objects.filter(person=folk.elder).count() == 1
    added = act(
        client,
        "person",
        folk.elder.pk,
        "add_tag",
        {"tag": "disabled", "source": "disabled_federation", "source_note": "残联名单"},
    )
    assert added.status_code == 302
    tag = CareTag.objects.get(person=folk.elder, tag="disabled")
    bad_date = act(client, "person", folk.elder.pk, "end_tag", {"on": "not a date"}, obj=tag.pk)
    assert bad_date.status_code == 400 and 'data-errors-for="end_tag"' in bad_date.content.decode()
    assert act(client, "person", folk.elder.pk, "end_tag", {}, obj=tag.pk).status_code == 302
    tag.refresh_from_db()
    assert tag.valid_to == timezone.localdate()
    card = client.get(reverse("people:person", args=[folk.elder.pk])).content.decode()
    assert "残联名单" in card


def test_consents_and_party_one_event_each(world: Any, folk: Folk, keeper: Any, client: Any) -> None:
    events = AuditEvent.objects.filter(target_type="people.person", target_id=str(folk.elder.pk))
    before = events.count()
    assert act(client, "person", folk.elder.pk, "consent", {"purpose": "care", "channel": "paper"}).status_code == 302
    again = act(client, "person", folk.elder.pk, "consent", {"purpose": "care", "channel": "oral"})
    assert again.status_code == 400 and field_errors(again, "purpose")
    consent = Consent.objects.get(person=folk.elder)
    assert act(client, "person", folk.elder.pk, "withdraw_consent", {}, obj=consent.pk).status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == timezone.localdate()
    assert events.count() == before + 2
    assert events.filter(action=AuditAction.CONSENT_RECORDED).count() == 2
    party = act(
        client,
        "person",
        folk.elder.pk,
        "party",
        {"organisation": "东城区某机关党支部", "joined_party_on": "1970-07-01", "reported_on": "2025-03-01"},
    )
    assert party.status_code == 302
    membership = PartyMembership.objects.get(person=folk.elder)
    assert membership.reported_to == world.places["110101001001"]  # the community she lives in
    assert act(client, "person", folk.elder.pk, "party", {"organisation": "另一支部"}).status_code == 400
    hostile = act(client, "person", folk.elder.pk, "party", {"organisation": "<b>x</b>"})
    assert hostile.status_code == 400 and field_errors(hostile, "organisation")
    assert act(client, "person", folk.elder.pk, "end_party", {}, obj=membership.pk).status_code == 302
    assert events.filter(action=AuditAction.PARTY_MEMBERSHIP_RECORDED).count() == 2
    card = client.get(reverse("people:person", args=[folk.elder.pk])).content.decode()
    assert "东城区某机关党支部" in card and "data-consent=" in card


def test_record_actions_refuse_readers_who_may_not_change(world: Any, folk: Folk) -> None:
    grid = world.users[Role.GRID_WORKER]
    with pytest.raises(PermissionDenied):
        records.record_consent(grid, folk.elder, purpose="care", channel="paper")
    with pytest.raises(PermissionDenied):
        records.record_party_membership(world.outsiders[Role.COMMUNITY_WORKER], folk.elder, organisation="支部")
    with pytest.raises(ValidationError):
        records.record_consent(world.users[Role.COMMUNITY_WORKER], folk.elder, purpose="x", channel="y")
    assert not Consent.objects.exists() and not PartyMembership.objects.exists()


def test_house_card_area_owners_tenants(world: Any, folk: Folk, client: Any) -> None:
    house = folk.house.pk
    bad = act(client, "house", house, "house", {"area": "abc", "use": "rented"})
    assert bad.status_code == 400 and field_errors(bad, "area")
    assert not House.objects.filter(place=folk.house, use="rented").exists()
    assert act(client, "house", house, "house", {"area": "88.5", "use": "rented"}).status_code == 302
    assert House.objects.get(place=folk.house).area == 88.5
    owner = act(client, "house", house, "owner", {"owner": ELDER_PHONE, "share": "0.6", "area": "50"})
    assert owner.status_code == 302
    too_much = act(client, "house", house, "owner", {"organisation": "开发商", "share": "0.5"})
    assert too_much.status_code == 400 and field_errors(too_much, "share")
    neither = act(client, "house", house, "owner", {"share": "0.1"})
    assert neither.status_code == 400 and "errorlist nonfield" in neither.content.decode()
    nobody = act(client, "house", house, "owner", {"owner": "13700000000", "share": "0.1"})
    assert nobody.status_code == 400 and field_errors(nobody, "owner")
    assert Ownership.objects.filter(house=folk.house).count() == 1
    ownership = Ownership.objects.get(house=folk.house)
    assert act(client, "house", house, "end_owner", {}, obj=ownership.pk).status_code == 302
    assert act(client, "house", house, "tenant", {"tenant": "王秀英"}).status_code == 302
    tenancy = Tenancy.objects.get(house=folk.house)
    html = client.get(reverse("people:house", args=[house])).content.decode()
    assert f'data-owner="{ownership.pk}"' in html and f'data-tenant="{tenancy.pk}"' in html
    assert f'data-household="{folk.household.pk}"' in html and "王**" in html and "王小明" not in html
    assert act(client, "house", house, "end_tenant", {}, obj=tenancy.pk).status_code == 302
    tenancy.refresh_from_db()
    assert tenancy.until == timezone.localdate()


def test_household_add_member_and_member_leaves(world: Any, houses: Any, folk: Folk, keeper: Any, client: Any) -> None:
    from linli.people.actions import registry

    lodger = registry.register_person(
        keeper, place=folk.house, name="周强", residency="常住", id_number=id_number("110101", "19800101", "457")
    )
    ambiguous = registry.register_person(
        keeper, place=houses["a102"], name="周强", residency="常住", birth_date="1990-02-02"
    )
    hh = folk.household.pk
    two = act(client, "household", hh, "add_member", {"person": "周强", "relation": "non_relative"})
    assert two.status_code == 400 and field_errors(two, "person")
    head = act(client, "household", hh, "add_member", {"person": lodger.id_number, "relation": "head"})
    assert head.status_code == 400 and zh("This household already has a head") in head.content.decode()
    assert not HouseholdMember.objects.filter(person=lodger).exists()
    assert (
        act(client, "household", hh, "add_member", {"person": lodger.id_number, "relation": "non_relative"}).status_code
        == 302
    )
    member = HouseholdMember.objects.get(person=lodger, left_on__isnull=True)
    assert act(client, "household", hh, "member_leaves", {}, obj=member.pk).status_code == 302
    member.refresh_from_db()
    lodger.refresh_from_db()
    assert member.left_on == timezone.localdate() and lodger.place == folk.house and lodger.left_on is None
    assert ambiguous.pk


def test_grid_worker_sees_no_forms_and_is_refused(world: Any, folk: Folk) -> None:
    grid = client_for(world.users[Role.GRID_WORKER])
    for url in (
        reverse("people:house", args=[folk.house.pk]),
        reverse("people:household", args=[folk.household.pk]),
    ):
        assert "data-action-panel" not in grid.get(url).content.decode()
    assert act(grid, "house", folk.house.pk, "house", {"area": "10", "use": "vacant"}).status_code == 403
    assert (
        act(grid, "household", folk.household.pk, "add_member", {"person": "x", "relation": "head"}).status_code == 403
    )
    assert grid.get(reverse("people:register")).status_code == 403
    assert not House.objects.exists()
