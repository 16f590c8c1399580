"""A resident-side Open311 client (an API token of a resident's grant) and helpers to call the endpoint."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.api.actions import issue_token

BASE = "/open311/v2/"
POINT_A = {"lat": "39.9", "long": "116.05"}  # inside 甲一第1网格


@pytest.fixture
def api_key(world: Any) -> str:
    grant = Grant.objects.get(user=world.users[Role.RESIDENT])
    return issue_token(None, grant, name="open311 test client", days=30)[1]


@pytest.fixture
def other_key(world: Any) -> str:
    grant = Grant.objects.get(user=world.outsiders[Role.RESIDENT])
    return issue_token(None, grant, name="another client", days=30)[1]


def post(client: Client, form: dict[str, str], fmt: str = "json", headers: dict[str, str] | None = None) -> Any:
    return client.post(
        f"{BASE}requests.{fmt}",
        urlencode(form),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        headers=headers or {},
    )


def good_form(api_key: str, code: str, **extra: str) -> dict[str, str]:
    form = {"api_key": api_key, "service_code": code, "attribute[consent]": "yes", **POINT_A}
    form["description"] = "小区门口路面脏乱，垃圾堆放多日无人清理"
    form.update(extra)
    return form


def parse(content: bytes) -> ET.Element:
    """Our own server's XML answer in a test: nothing untrusted is parsed."""
    return ET.fromstring(content)  # noqa: S314


def case_of(number: str) -> Any:
    from linli.cases.models import Case

    return Case.objects.get(pk=Case.pk_from_number(number) or 0)
