from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from linli.accounts import actions, phone_codes
from linli.accounts.choices import Role
from linli.accounts.models import PhoneCode, User
from linli.accounts.sms import MemorySMSBackend
from linli.accounts.throttle import lockout_message
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    return MemorySMSBackend.outbox


def last_code(outbox) -> str:
    return re.search(r"\d{6}", outbox[-1][1]).group(0)


@pytest.mark.django_db
def test_password_login_and_lockout_per_client(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = world.users[Role.STREET_DISPATCHER]
    url = reverse("accounts:login")
    attacker, office = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    assert attacker.post(url, {"username": user.username, "password": PASSWORD}).status_code == 302
    attacker.logout()
    for _ in range(2):
        response = attacker.post(url, {"username": user.username, "password": "wrong"})
        assert response.status_code == 200 and "用户名或密码错误" in response.content.decode()
    response = attacker.post(url, {"username": user.username, "password": "wrong"})
    assert response.status_code == 429 and lockout_message() in response.content.decode()
    assert "15" in lockout_message()  # the cool-off time is in the message
    # Locked: even the right password is refused from that client until the cool-off passes ...
    response = attacker.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in attacker.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).exists()
    # ... and from any other client the account's owner logs in as usual.
    response = office.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and office.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_one_client_cannot_try_many_usernames(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.10")
    url = reverse("accounts:login")
    names = [world.users[r].username for r in (Role.GRID_WORKER, Role.COMMUNITY_WORKER, Role.VOLUNTEER)]
    for name in names:
        client.post(url, {"username": name, "password": "wrong"})
    response = client.post(url, {"username": world.users[Role.RESIDENT].username, "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_typed_text_that_is_no_username_is_kept_only_as_a_keyed_hash(world, settings):
    client = Client(REMOTE_ADDR="203.0.113.11")
    url = reverse("accounts:login")
    secret_like = "My-Secret-Passw0rd!"
    client.post(url, {"username": secret_like, "password": "whatever"})
    client.post(url, {"username": world.users[Role.GRID_WORKER].username.upper(), "password": "wrong"})
    names = set(AccessAttempt.objects.values_list("username", flat=True))
    assert world.users[Role.GRID_WORKER].username in names  # a real account is named as itself
    hashed = [n for n in names if n.startswith("?")]
    assert len(hashed) == 1 and len(hashed[0]) == 33
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 2
    for model_text in [repr(list(AccessAttempt.objects.values())), repr(list(failures.values()))]:
        assert secret_like not in model_text and secret_like.lower() not in model_text
        assert "whatever" not in model_text and "wrong" not in model_text
    assert failures.filter(target_id=str(world.users[Role.GRID_WORKER].pk)).exists()


@pytest.mark.django_db
def test_client_address_behind_trusted_proxies(world, settings, rf):
    from linli.accounts.throttle import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip(request) == "10.0.0.2"  # no proxy configured: the header is the client's own text
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.5"  # the entry our proxy appended, not the forged one
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: fall back to the peer


@pytest.mark.django_db(transaction=True)
def test_resident_signs_up_and_logs_in_by_phone(client, sms):
    response = client.post(reverse("accounts:phone_send"), {"phone": "139 1234 5678"})
    assert response.status_code == 200 and "139****5678" in response.content.decode()
    code = last_code(sms)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("accounts:phone_verify"), {"phone": "13912345678", "code": wrong})
    assert "验证码错误" in response.content.decode()
    assert PhoneCode.objects.get().attempts == 1  # the failed attempt counted even though it was refused
    response = client.post(reverse("accounts:phone_verify"), {"phone": "13912345678", "code": code})
    assert response.status_code in (204, 302)
    user = User.objects.get(phone_digest__isnull=False)
    assert user.active_roles() == {Role.RESIDENT} and user.phone == "13912345678"
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_phone_code_limits(sms, settings):
    settings.PHONE_CODE_MAX_ATTEMPTS = 2
    phone_codes.send_phone_code("13912345678")
    with pytest.raises(ValidationError):
        phone_codes.send_phone_code("13912345678")  # resend too soon
    for _ in range(2):
        with pytest.raises(ValidationError):
            phone_codes.verify_phone_code("13912345678", "999999" if last_code(sms) != "999999" else "888888")
    with pytest.raises(ValidationError, match=r"Too many|过多"):
        phone_codes.verify_phone_code("13912345678", last_code(sms))
    with pytest.raises(ValidationError):
        phone_codes.send_phone_code("12345")


@pytest.mark.django_db
def test_reveal_is_logged_and_role_limited(world):
    resident = world.users[Role.RESIDENT]
    grid = world.place("110101001001001")
    grid.contact_phone = "13812345678"
    grid.save()
    worker = world.users[Role.GRID_WORKER]
    assert actions.reveal(worker, grid, "contact_phone", reason="回访") == "13812345678"
    event = AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_REVEALED).get()
    assert event.actor == worker and event.data["field"] == "contact_phone"
    with pytest.raises(PermissionDenied):
        actions.reveal(world.outsiders[Role.GRID_WORKER], grid, "contact_phone")
    with pytest.raises(PermissionDenied):
        actions.reveal(world.users[Role.DEPARTMENT_HANDLER], grid, "contact_phone")
    assert resident.phone  # residents keep their own phone, encrypted
