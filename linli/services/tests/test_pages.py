"""The catalogue, the staff forms and the case page's matched providers panel: scope, inert text, queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.accounts.choices import Role
from linli.orgs.models import Unit
from linli.services.actions import assign_to_provider
from linli.services.models import ServiceOffer
from linli.tests.hostile import hostile

from .world import COMMUNITY_A, STREET_A, make_catalogue, service_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat(world: Any) -> Any:
    return make_catalogue(world)


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_catalogue_lists_kinds_offers_and_prices(world: Any, cat: Any) -> None:
    body = _client(world.users[Role.RESIDENT]).get(reverse("services:catalogue")).content.decode()
    assert "家政" in body and "每小时45元" in body and "全区养老驿站" in body
    near_b = reverse("services:catalogue") + f"?place={world.places['110101002001'].pk}"
    body = _client(world.outsiders[Role.STREET_DISPATCHER]).get(near_b).content.decode()
    assert "每小时40元" in body and "每小时50元" not in body  # near community B: B's offer only


def test_catalogue_query_count_does_not_grow(world: Any, cat: Any) -> None:
    client = _client(world.users[Role.COMMUNITY_WORKER])
    client.get(reverse("services:catalogue"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("services:catalogue")).status_code == 200
    for n in range(12):
        unit = Unit.objects.create(code=f"PX{n}", name=f"新服务商{n}", kind="service_provider")
        offer = ServiceOffer.objects.create(unit=unit, kind=cat.cleaning if n % 2 else cat.repair, price=f"{n}元")
        offer.places.set([world.places[COMMUNITY_A], world.places[STREET_A]])
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("services:catalogue")).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_hostile_names_stay_inert(world: Any, cat: Any) -> None:
    Unit.objects.filter(pk=cat.wide.pk).update(name=hostile("u", short=True)[:128])
    ServiceOffer.objects.filter(pk=cat.street.pk).update(price=hostile("p")[:200])
    type(cat.cleaning).objects.filter(pk=cat.cleaning.pk).update(description=hostile("d"))
    street = world.users[Role.STREET_DISPATCHER]
    case = service_case(world, cat.matter)
    for client, url in (
        (_client(world.users[Role.RESIDENT]), reverse("services:catalogue")),
        (_client(street), reverse("cases:case", args=[case.pk])),
    ):
        body = client.get(url).content.decode()
        assert "<script>window.__pwned" not in body and '<img src=x onerror="window' not in body
        assert "&lt;img src=x" in body or "&lt;script&gt;" in body


def test_case_page_shows_matched_providers_and_assigns(world: Any, cat: Any) -> None:
    street = world.users[Role.STREET_DISPATCHER]
    case = service_case(world, cat.matter)
    client = _client(street)
    body = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'id="matched-providers"' in body and "全区养老驿站" in body and "甲一社区居委会" in body
    assert f'data-offer="{cat.far.pk}"' not in body
    response = client.post(reverse("services:assign", args=[case.pk]), {"offer": cat.street.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead_unit_id == cat.wide.pk
    # A non-service case has no panel.
    plain = service_case(world, cat.other_matter)
    assert 'id="matched-providers"' not in client.get(reverse("cases:case", args=[plain.pk])).content.decode()


def test_assign_refused_to_others(world: Any, cat: Any) -> None:
    case = service_case(world, cat.matter)
    for user in (world.users[Role.RESIDENT], world.outsiders[Role.STREET_DISPATCHER], cat.wide_user):
        status = _client(user).post(reverse("services:assign", args=[case.pk]), {"offer": cat.street.pk}).status_code
        assert status in (403, 404)
    case.refresh_from_db()
    assert case.lead_unit_id is None


def test_provider_opens_its_request_and_not_an_unmatched_one(world: Any, cat: Any) -> None:
    mine = assign_to_provider(world.users[Role.STREET_DISPATCHER], service_case(world, cat.matter), cat.street)
    other = service_case(world, cat.matter, title="另一户保洁")
    client = _client(cat.wide_user)
    assert client.get(reverse("cases:case", args=[mine.pk])).status_code == 200
    assert client.get(reverse("cases:case", args=[other.pk])).status_code in (403, 404)


def test_offer_forms_follow_the_scope(world: Any, cat: Any) -> None:
    worker = _client(world.users[Role.COMMUNITY_WORKER])
    assert worker.get(reverse("services:offer_edit", args=[cat.near.pk])).status_code == 200
    # A street-wide offer is not one community's to change.
    assert worker.get(reverse("services:offer_edit", args=[cat.street.pk])).status_code == 403
    assert worker.get(reverse("services:kind_new")).status_code == 403
    data = {"unit": cat.wide.pk, "kind": cat.repair.pk, "places": [world.places[COMMUNITY_A].pk], "price": "面议"}
    assert worker.post(reverse("services:offer_new"), data).status_code == 302
    assert ServiceOffer.objects.filter(unit=cat.wide, kind=cat.repair, price="面议").exists()
    # Widening to the street is refused: the street is not a place the worker keeps.
    data["places"] = [world.places[STREET_A].pk]
    data["kind"] = cat.cleaning.pk
    response = worker.post(reverse("services:offer_edit", args=[cat.near.pk]), data)
    assert response.status_code == 200 and 'id="offer-form"' in response.content.decode()
    assert _client(world.users[Role.RESIDENT]).get(reverse("services:offer_new")).status_code == 403
    command = _client(world.users[Role.DISTRICT_COMMAND])
    kind = {"code": "XL", "name": "心理疏导", "description": "", "matters": [cat.other_matter.pk], "is_active": "on"}
    assert command.post(reverse("services:kind_new"), kind).status_code == 302
