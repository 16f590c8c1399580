"""`make run` prints an api_key for the demo's Open311 client that works, and the same one on every start."""

from __future__ import annotations

import stat
from io import StringIO

import pytest
from django.test import Client

from linli.api import demo
from linli.api.actions import revoke_token
from linli.api.models import ApiToken
from linli.core.management.commands.build_demo_city import Command

pytestmark = pytest.mark.django_db


def test_the_demo_client_key_works_and_stays(world, tmp_path, matter):
    path = tmp_path / "var" / "demo-open311-key"
    key = demo.demo_client_key(path)
    assert path.read_text().strip() == key and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Client().get("/open311/v2/requests.json", {"api_key": key}).status_code == 200
    response = Client().post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": matter.code, "lat": "39.9", "long": "116.05", "attribute[consent]": "yes"},
    )
    assert response.status_code == 201
    assert demo.demo_client_key(path) == key  # the next start prints the same key
    revoke_token(None, ApiToken.objects.get(grant__user__username=demo.CLIENT_USERNAME))
    fresh = demo.demo_client_key(path)
    assert fresh != key and path.read_text().strip() == fresh
    assert Client().get("/open311/v2/requests.json", {"api_key": fresh}).status_code == 200


def test_build_demo_city_prints_it_next_to_the_accounts(world, tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "KEY_FILE", tmp_path / "key")
    out = StringIO()
    Command(stdout=out).print_accounts()
    text = out.getvalue()
    key = (tmp_path / "key").read_text().strip()
    assert f"key of the demo client ({demo.CLIENT_USERNAME}): {key}" in text
