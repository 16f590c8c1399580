"""The masking matrix (issue 17, acceptance): for every viewer of the fixture world (each role's side-A user and
side-B outsider, the superuser, the two-hat, expired and inactive users) × every path that shows a person
(the card, the API, the Excel export) × an adult's and a minor's record: which fields come masked; and × every
path that shows them in the clear (the card's reveal, the API's reveal, the unmasked export, the person's own
copy): whether it may, and that each use adds exactly one access-log row and a refusal adds none.

The expectations are written out from DESIGN §1 and §7 here, not read from the predicates: the place roles read
the people under their places; the roles whose work needs numbers (grid, community, street) see them in full
on request, district command does not; the person's copy is given by whoever keeps the record.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import SecondFactorClient as Client
from conftest import World
from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.masking import mask_id_number, mask_phone
from linli.core.models import AuditEvent
from linli.tests.matrix_people import make_people

pytestmark = pytest.mark.django_db

ACCESS_LOG = (AuditAction.PERSONAL_DATA_REVEALED, AuditAction.PERSONS_EXPORTED, AuditAction.PERSON_DATA_COPIED)
ADMINS = {"root", f"a_{Role.PLATFORM_ADMIN}"}
# Who reads the people of house A (A's grid 1, community A, street A, district A): §1 "sees".
READERS_OF_A = ADMINS | {
    f"a_{Role.GRID_WORKER}",
    f"a_{Role.COMMUNITY_WORKER}",
    f"a_{Role.COMMUNITY_SECRETARY}",
    f"a_{Role.STREET_DISPATCHER}",
    f"a_{Role.DISTRICT_COMMAND}",
    "multi_worker",
}
# §7 "masked unless the role needs them": district command ranks and assesses, it does not call residents.
REVEALERS_OF_A = READERS_OF_A - {f"a_{Role.DISTRICT_COMMAND}"}
# 个人信息保护法 art. 45: the copy is given by the record's keepers (community staff, the district).
COPIERS_OF_A = ADMINS | {
    f"a_{Role.COMMUNITY_WORKER}",
    f"a_{Role.COMMUNITY_SECRETARY}",
    f"a_{Role.DISTRICT_COMMAND}",
    "multi_worker",
}
UNMASKED_EXPORTERS = {Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY, Role.STREET_DISPATCHER}
EXPORTERS = UNMASKED_EXPORTERS | {Role.DISTRICT_COMMAND}


def _role(user: Any) -> str | None:
    grant = user.grants.order_by("pk").first()
    return grant.role if grant else None


def _exports(user: Any, unmasked: bool) -> bool:
    if user.username in ADMINS:
        return True
    if user.username in {"expired_dispatcher", "inactive_secretary"}:
        return False
    return _role(user) in (UNMASKED_EXPORTERS if unmasked else EXPORTERS)


def _logged() -> int:
    return AuditEvent.objects.filter(action__in=ACCESS_LOG).count()


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)


@pytest.fixture
def registry(world: World) -> Any:
    return make_people(world)


def _viewers(world: World) -> list[Any]:
    return world.all_users()


def test_every_path_shows_people_masked_to_every_viewer(world: World, registry: Any) -> None:
    adult, minor = registry["a_adult"], registry["a_minor"]
    checked = 0
    for user in _viewers(world):
        client = Client()
        client.force_login(user)
        before = _logged()
        exports = 0
        for person in (adult, minor):
            clear = [person.id_number, person.phone] + ([person.name] if person.is_sensitive else [])
            reads = user.username in READERS_OF_A
            for url in (reverse("people:person", args=[person.pk]), f"/api/v1/persons/{person.pk}/"):
                response = client.get(url)
                assert (response.status_code == 200) == reads, (user.username, url, response.status_code)
                body = response.content.decode()
                assert not any(text in body for text in clear), (user.username, url)
                if reads and not person.is_sensitive:
                    assert mask_id_number(person.id_number) in body and mask_phone(person.phone) in body
                checked += 1
        response = client.get(reverse("people:transfer_export_persons"))
        assert (response.status_code == 200) == _exports(user, unmasked=False), (user.username, response.status_code)
        if response.status_code == 200:
            exports += 1
            text = _xlsx_text(response.content)
            assert adult.id_number not in text and adult.phone not in text and minor.name not in text
        # Masked views are not logged one by one; each export, masked or not, is one row.
        assert _logged() - before == exports, user.username
    assert checked == len(_viewers(world)) * 4


def test_every_unmasked_view_is_allowed_by_role_and_adds_exactly_one_access_log_row(
    world: World, registry: Any
) -> None:
    adult = registry["a_adult"]
    for user in _viewers(world):
        client = Client()
        client.force_login(user)
        name = user.username
        paths = [
            (
                "card reveal",
                lambda c: c.post(reverse("people:reveal", args=[adult.pk]), {"reason": ""}),
                name in REVEALERS_OF_A,
            ),
            (
                "API reveal",
                lambda c: c.post(
                    f"/api/v1/persons/{adult.pk}/reveal/",
                    {"fields": ["id_number", "phone"], "reason": ""},
                    content_type="application/json",
                ),
                name in REVEALERS_OF_A,
            ),
            (
                "subject copy",
                lambda c: c.post(reverse("people:subject_copy", args=[adult.pk])),
                name in COPIERS_OF_A,
            ),
        ]
        for what, call, allowed in paths:
            before = _logged()
            response = call(client)
            shown = response.content if response.get("Content-Type", "").startswith("application/vnd") else None
            body = _xlsx_text(shown) if shown else response.content.decode()
            assert (adult.id_number in body) == allowed, (name, what, response.status_code)
            assert _logged() - before == (1 if allowed else 0), (name, what)
            if not allowed:
                assert response.status_code in (302, 401, 403, 404), (name, what, response.status_code)
        before = _logged()
        response = client.get(reverse("people:transfer_export_persons"), {"unmasked": "on"})
        may_export = _exports(user, unmasked=True)
        assert (response.status_code == 200) == may_export, (name, "unmasked export", response.status_code)
        assert _logged() - before == (1 if may_export else 0), (name, "unmasked export")
        if may_export:
            # In the clear only for the people under the exporter's places.
            assert (adult.id_number in _xlsx_text(response.content)) == (name in READERS_OF_A), name


def test_a_minors_record_is_revealed_only_with_a_reason(world: World, registry: Any) -> None:
    minor = registry["a_minor"]
    client = Client()
    client.force_login(world.users[Role.COMMUNITY_WORKER])
    before = _logged()
    refused = client.post(
        f"/api/v1/persons/{minor.pk}/reveal/", {"fields": ["id_number"]}, content_type="application/json"
    )
    assert refused.status_code == 400 and minor.id_number not in refused.content.decode()
    assert _logged() == before
    given = client.post(
        f"/api/v1/persons/{minor.pk}/reveal/",
        {"fields": ["id_number"], "reason": "办理入学证明"},
        content_type="application/json",
    )
    assert given.status_code == 200 and minor.id_number in given.content.decode()
    assert _logged() == before + 1
    row = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).latest("pk")
    assert row.data["reason"] == "办理入学证明" and row.data["sensitive"] is True
    assert minor.id_number not in str(row.data) and minor.name not in row.target_repr
