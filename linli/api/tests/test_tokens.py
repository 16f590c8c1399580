from __future__ import annotations

import base64
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from conftest import PASSWORD
from linli.accounts.choices import Role
from linli.accounts.models import Grant
from linli.api.actions import issue_token, revoke_token
from linli.api.models import ApiToken
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

ME = "/api/v1/me/"


def bearer(secret: str, keyword: str = "Bearer") -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"{keyword} {secret}"}


@pytest.fixture
def grant(world) -> Grant:
    return Grant.objects.get(user=world.users[Role.STREET_DISPATCHER])


@pytest.mark.django_db
def test_token_is_hashed_at_rest_and_works_once_issued(world, grant):
    token, secret = issue_token(world.admin, grant, name="12345 hotline", days=30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apitoken")
        rows = repr(cursor.fetchall())
    # The random part is everything after "linli_<prefix>_" (it may hold "_" itself, so no split on "_").
    random_part = secret.split(f"_{token.prefix}_", 1)[1]
    assert secret not in rows and random_part not in rows and token.prefix in rows
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_ISSUED, target_id=str(token.pk)).exists()
    for keyword in ("Bearer", "Token"):
        response = Client().get(ME, **bearer(secret, keyword))
        assert response.status_code == 200 and response.json()["username"] == grant.user.username
    wrong = secret[:-2] + ("aa" if not secret.endswith("aa") else "bb")
    response = Client().get(ME, **bearer(wrong))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_http_basic_is_refused(world):
    user = world.users[Role.STREET_DISPATCHER]
    basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401


@pytest.mark.django_db
def test_expired_revoked_and_ended_grant_tokens_are_refused_with_a_reason(world, grant):
    token, secret = issue_token(None, grant, name="old", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(ME, **bearer(secret))
    detail = response.json()["detail"]
    assert response.status_code == 401 and ("expired" in detail or "过期" in detail)
    token, secret = issue_token(None, grant, name="revoked", days=5)
    revoke_token(world.admin, token)
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED).exists()
    assert Client().get(ME, **bearer(secret)).status_code == 401
    with pytest.raises(ValidationError):
        revoke_token(world.admin, token)
    token, secret = issue_token(None, grant, name="ended", days=5)
    Grant.objects.filter(pk=grant.pk).update(valid_to=timezone.now())
    assert Client().get(ME, **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_issue_rules(world, grant, settings):
    settings.API_TOKEN_MAX_DAYS = 90
    with pytest.raises(ValidationError):
        issue_token(None, grant, name="too long", days=91)
    with pytest.raises(ValidationError):
        issue_token(None, grant, name="", days=1)
    with pytest.raises(PermissionDenied):
        issue_token(world.users[Role.GRID_WORKER], grant, name="not mine", days=1)
    issue_token(grant.user, grant, name="mine", days=1)
    token, _ = issue_token(None, grant, name="x", days=1)
    with pytest.raises(PermissionDenied):
        revoke_token(world.users[Role.GRID_WORKER], token)


@pytest.mark.django_db
def test_last_use_is_recorded_at_most_once_a_minute(world, grant):
    token, secret = issue_token(None, grant, name="hotline", days=5)
    assert token.last_used_at is None
    Client().get(ME, **bearer(secret))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    Client().get(ME, **bearer(secret))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    Client().get(ME, **bearer(secret))
    later = ApiToken.objects.get(pk=token.pk).last_used_at
    assert later is not None and later > first


@pytest.mark.django_db
def test_the_token_narrows_the_user_to_its_grant(world, grant):
    seen: dict[str, object] = {}

    @api_view(["GET"])
    def probe(request):
        seen["only"] = getattr(request.user, "only_grant_ids", None)
        return Response({})

    _, secret = issue_token(None, grant, name="probe", days=5)
    assert probe(APIRequestFactory().get("/", **bearer(secret))).status_code == 200
    assert seen["only"] == frozenset({grant.pk})
    # A session call carries no narrowing.
    session_user = world.users[Role.STREET_DISPATCHER]
    request = APIRequestFactory().get("/")
    request.user = session_user
    request._dont_enforce_csrf_checks = True
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    seen.clear()
    probe(request)
    assert seen.get("only") is None


@pytest.mark.django_db
def test_session_calls_keep_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[Role.STREET_DISPATCHER])
    response = client.post("/api/v1/dispatch/decide/", {"text": "路灯坏了"}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


@pytest.mark.django_db
def test_command_prints_the_secret_once_and_the_page_lists_and_revokes(world, grant):
    out = StringIO()
    call_command(
        "issue_api_token",
        "--user",
        grant.user.username,
        "--grant-id",
        str(grant.pk),
        "--days",
        "7",
        "--name",
        "district system",
        stdout=out,
    )
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("linli_") and Client().get(ME, **bearer(secret)).status_code == 200
    with pytest.raises(CommandError):
        call_command(
            "issue_api_token",
            "--user",
            "a_grid_worker",
            "--grant-id",
            str(grant.pk),
            "--days",
            "7",
            "--name",
            "x",
            stdout=StringIO(),
        )
    token = ApiToken.objects.get()
    owner = Client()
    owner.force_login(grant.user)
    page = owner.get(reverse("api:tokens")).content.decode()
    assert token.prefix in page and "district system" in page and secret not in page
    stranger = Client()
    stranger.force_login(world.users[Role.GRID_WORKER])
    assert token.prefix not in stranger.get(reverse("api:tokens")).content.decode()
    assert stranger.post(reverse("api:token-revoke", args=[token.pk])).status_code == 404
    owner.post(reverse("api:token-revoke", args=[token.pk]))
    assert ApiToken.objects.get().revoked_at is not None
    assert Client().get(ME, **bearer(secret)).status_code == 401


@pytest.mark.django_db
def test_the_page_issues_a_token_for_an_own_grant_and_shows_the_secret_once(world, grant, settings):
    owner = Client(enforce_csrf_checks=False)
    owner.force_login(grant.user)
    page = owner.get(reverse("api:tokens"))
    assert page.status_code == 200 and 'id="issue-token"' in page.content.decode()
    response = owner.post(reverse("api:tokens"), {"grant": grant.pk, "name": "街道对接系统", "days": 30})
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="街道对接系统")
    secret = next(word for word in body.replace("<", " ").replace(">", " ").split() if word.startswith("linli_"))
    assert Client().get(ME, **bearer(secret)).status_code == 200
    assert secret not in owner.get(reverse("api:tokens")).content.decode()  # shown once
    assert token.grant_id == grant.pk and token.created_by_id == grant.user.pk
    # Another user's grant is not a choice, too long a life is refused, and markup is refused: nothing stored.
    other = Grant.objects.get(user=world.users[Role.GRID_WORKER])
    for bad in (
        {"grant": other.pk, "name": "x", "days": 30},
        {"grant": grant.pk, "name": "x", "days": settings.API_TOKEN_MAX_DAYS + 1},
        {"grant": grant.pk, "name": "<b>x</b>", "days": 30},
    ):
        assert owner.post(reverse("api:tokens"), bad).status_code == 400
    assert ApiToken.objects.count() == 1
    with pytest.raises(ValidationError):  # the command line goes through the same action
        issue_token(None, grant, name="<img src=x onerror=alert(1)>", days=30)
