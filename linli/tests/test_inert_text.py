"""Stored text reaches pages as text: escaped HTML, escaped JSON, no inline script, and a strict CSP header."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.urls import reverse

from linli.accounts.choices import Role
from linli.places.models import Place
from linli.tests.hostile import HOSTILE, plant, store_decision

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
RAW_MARKUP = ("<img src=x", "<script>window.__pwned", "<svg onload")


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_inert(response: Any, *expected: str) -> str:
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    for raw in RAW_MARKUP:
        assert raw not in text, f"unescaped {raw!r} on {response.request['PATH_INFO']}"
    assert not INLINE_SCRIPT.search(text), INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text), EVENT_HANDLER.search(text)
    assert not STYLE_ATTRIBUTE.search(text), STYLE_ATTRIBUTE.search(text)
    for value in expected:
        assert html.escape(value) in text or html.escape(value, quote=False) in text, value[:12]
    return text


@pytest.mark.django_db
def test_the_policy_forbids_inline_script_and_style(client, world):
    client.force_login(world.users[Role.DISTRICT_COMMAND])
    directives = policy(client.get(reverse("home")))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"] and directives["form-action"] == ["'self'"]
    assert set(directives["img-src"]) == {"'self'", "data:", "blob:"}
    # The login page, which anyone can open, carries it too.
    client.logout()
    assert "script-src 'self'" in client.get(reverse("accounts:login"))["Content-Security-Policy"]


@pytest.mark.django_db
def test_every_page_shows_hostile_text_escaped(client, world, matter):
    planted = plant(world, matter)
    community = Place.objects.get(code="110101001001")
    district = world.users[Role.DISTRICT_COMMAND]
    decision = store_decision(district, planted["grid1"], HOSTILE, planted["grid2"])
    pages: list[tuple[Any, str, dict[str, str], list[str]]] = [
        (district, reverse("home"), {}, ["street"]),
        (district, reverse("places:detail", args=[community.pk]), {}, ["street", "community", "grid1", "grid2"]),
        (district, reverse("places:browse"), {"q": "G1"}, ["grid1"]),
        (district, reverse("orgs:units"), {}, ["unit_dept", "unit_street"]),
        (district, reverse("orgs:matters"), {"q": "M"}, ["matter", "keyword", "major_class"]),
        (district, reverse("dispatch:decisions"), {}, []),
        (district, reverse("dispatch:decision", args=[decision.pk]), {}, ["grid1"]),
        (
            district,
            reverse("orgs:responsibility"),
            {"matter": str(matter.pk), "place_code": "110101001001001"},
            ["grid1", "matter"],
        ),
        (world.users[Role.STREET_DISPATCHER], reverse("home"), {}, ["community", "unit_street"]),
        (world.users[Role.COMMUNITY_WORKER], reverse("home"), {}, ["grid1", "grid2", "community"]),
        (world.users[Role.DEPARTMENT_HANDLER], reverse("home"), {}, ["matter", "unit_dept"]),
        (world.users[Role.RESIDENT], reverse("home"), {}, ["display_resident"]),
        (world.admin, reverse("home"), {}, ["grid1", "display_admin"]),
        (world.users[Role.AUDITOR], reverse("home"), {}, ["grid1"]),
    ]
    for user, url, query, keys in pages:
        client.force_login(user)
        assert_inert(client.get(url, query), *(planted[k] for k in keys))

    # The map's data is JSON in a json_script element: "<" is escaped there too, so no "</script>" breaks out.
    client.force_login(district)
    detail = client.get(reverse("places:detail", args=[community.pk])).content.decode()
    data = re.search(r'<script id="place-map-data" type="application/json">(.*?)</script>', detail, re.S)
    assert data is not None and "<" not in data.group(1) and "\\u003C" in data.group(1)
    assert 'src="/static/linli/place-map.js"' in detail

    # HTMX fragments: the grid lookup's answer and the dispatch trial's answer.
    fragment = client.get(
        reverse("places:resolve"), {"longitude": "116.05", "latitude": "39.9"}, HTTP_HX_REQUEST="true"
    )
    assert_inert(fragment, planted["grid1"])
    trial = client.post(
        reverse("dispatch:try"), {"title": HOSTILE, "body": HOSTILE, "channel": "web"}, HTTP_HX_REQUEST="true"
    )
    assert_inert(trial)
