"""Library entries: create, edit, retire, confirm; stale flags and the steward's reminder; scope and masking."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import World
from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent
from linli.notices.models import Notice
from linli.resources import actions
from linli.resources.choices import ResourceKind
from linli.resources.models import Resource
from linli.resources.queries import resources_for

from .conftest import COMMUNITY_A, COMMUNITY_B, client_for, give_home

pytestmark = pytest.mark.django_db


def _expert(world: World, keeper: Any, **extra: Any) -> Resource:
    return actions.create_resource(
        keeper,
        kind=ResourceKind.EXPERT,
        place=world.places[COMMUNITY_A],
        name="王律师",
        tags="法律 调解",
        contact_name="王明亮",
        contact_phone="13912345678",
        availability_days=["1", "3"],
        availability_notes="周二、周四下午",
        **extra,
    )


def test_create_edit_retire_each_record_one_event(world: World, keeper: Any) -> None:
    before = AuditEvent.objects.filter(action=AuditAction.RESOURCE_SAVED).count()
    fund = actions.create_resource(
        keeper,
        kind=ResourceKind.FUND,
        place=world.places[COMMUNITY_A],
        name="社区公益金",
        amount=50000,
        purpose="居民自治项目",
        source="社区公益金",
    )
    assert fund.steward == keeper and not fund.is_stale
    actions.update_resource(keeper, fund, name="社区公益金（2027）", tags="自治，微更新")
    fund.refresh_from_db()
    assert fund.name == "社区公益金（2027）" and fund.tag_list == ["自治", "微更新"]
    actions.retire_resource(keeper, fund)
    fund.refresh_from_db()
    assert fund.is_retired
    with pytest.raises(ValidationError):
        actions.update_resource(keeper, fund, name="x")
    assert AuditEvent.objects.filter(action=AuditAction.RESOURCE_SAVED).count() == before + 3


def test_outsiders_and_district_level_places_are_refused(world: World, keeper: Any) -> None:
    with pytest.raises(PermissionDenied):
        actions.create_resource(keeper, kind=ResourceKind.VENUE, place=world.places[COMMUNITY_B], name="乙活动室")
    with pytest.raises(ValidationError):
        actions.create_resource(keeper, kind=ResourceKind.VENUE, place=world.places["110101000000"], name="区")
    item = _expert(world, keeper)
    with pytest.raises(PermissionDenied):
        actions.update_resource(world.outsiders[Role.COMMUNITY_WORKER], item, name="改")
    with pytest.raises(PermissionDenied):
        actions.confirm_resource(world.users[Role.RESIDENT], item)


def test_steward_edits_and_confirms_their_own_entry(world: World, keeper: Any) -> None:
    volunteer = world.users[Role.VOLUNTEER]
    item = _expert(world, keeper, steward=volunteer)
    Resource.objects.filter(pk=item.pk).update(last_confirmed_at=timezone.now() - datetime.timedelta(days=400))
    item.refresh_from_db()
    assert item.is_stale
    response = client_for(volunteer).post(reverse("resources:act", args=[item.pk, "confirm"]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.is_stale
    actions.update_resource(volunteer, item, availability_notes="周末")


def test_stale_flag_follows_the_setting_and_reminder_is_sent_once(world: World, keeper: Any, settings: Any) -> None:
    item = _expert(world, keeper)
    other = _expert(world, keeper)
    Resource.objects.filter(pk__in=[item.pk, other.pk]).update(
        last_confirmed_at=timezone.now() - datetime.timedelta(days=100)
    )
    assert actions.remind_stale_stewards() == 0  # 100 days < 180
    settings.RESOURCE_STALE_DAYS = 90
    item.refresh_from_db()
    assert item.is_stale
    page = client_for(keeper).get(reverse("resources:search"), {"stale": "on"}).content.decode()
    assert page.count("data-stale") == 2
    assert actions.remind_stale_stewards() == 1  # one notice for the steward's two entries
    notice = Notice.objects.get(recipient=keeper)
    assert "2" in notice.title and notice.link.startswith("/resources/")
    assert actions.remind_stale_stewards() == 0  # not again the next day
    later = timezone.now() + datetime.timedelta(days=8)
    assert actions.remind_stale_stewards(now=later) == 1
    actions.confirm_resource(keeper, item)
    actions.confirm_resource(keeper, other)
    assert actions.remind_stale_stewards(now=later + datetime.timedelta(days=8)) == 0


def test_the_reminder_job_is_registered() -> None:
    from linli.core.schedule import jobs

    assert "resources.stale_reminders" in jobs()


def test_residents_read_their_street_without_contacts(world: World, keeper: Any) -> None:
    resident = world.users[Role.RESIDENT]
    item = _expert(world, keeper)
    far = actions.create_resource(
        world.outsiders[Role.COMMUNITY_WORKER], kind=ResourceKind.VENUE, place=world.places[COMMUNITY_B], name="乙室"
    )
    assert not resources_for(resident).exists()  # no registry record yet: no home
    resident = give_home(world, keeper, resident)
    assert set(resources_for(resident)) == {item}
    assert far not in resources_for(resident)
    body = client_for(resident).get(reverse("resources:detail", args=[item.pk])).content.decode()
    assert "13912345678" not in body and "王明亮" not in body
    assert "139****5678" in body and "王**" in body
    staff = client_for(keeper).get(reverse("resources:detail", args=[item.pk])).content.decode()
    assert "13912345678" in staff and "王明亮" in staff
    assert client_for(resident).get(reverse("resources:edit", args=[item.pk])).status_code == 404
    assert client_for(resident).get(reverse("resources:export")).status_code == 403


def test_pages_render(world: World, keeper: Any) -> None:
    item = _expert(world, keeper)
    client = client_for(keeper)
    assert client.get(reverse("resources:search")).status_code == 200
    assert client.get(reverse("resources:new")).status_code == 200
    assert client.get(reverse("resources:edit", args=[item.pk])).status_code == 200
    response = client.post(
        reverse("resources:new"),
        {"kind": ResourceKind.EQUIPMENT, "name": "折叠桌", "place": world.places[COMMUNITY_A].pk, "quantity": "12"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = Resource.objects.get(name="折叠桌")
    assert made.quantity == 12 and made.steward == keeper
    response = client.post(
        reverse("resources:edit", args=[made.pk]),
        {"name": "折叠桌", "place": world.places[COMMUNITY_A].pk, "quantity": "10", "condition": "worn"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.quantity == 10 and made.condition == "worn"
