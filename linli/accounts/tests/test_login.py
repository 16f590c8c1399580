from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from linli.accounts import actions
from linli.accounts.choices import Role
from linli.accounts.models import PhoneCode, User
from linli.accounts.sms import MemorySMSBackend
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
def test_password_login_and_lockout(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    user = world.users[Role.STREET_DISPATCHER]
    url = reverse("accounts:login")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    client.logout()
    for _ in range(3):
        response = client.post(url, {"username": user.username, "password": "wrong"})
        assert response.status_code == 200
    assert "锁定" in response.content.decode()
    # Locked: even the right password is refused until the window passes.
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).exists()


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
    actions.send_phone_code("13912345678")
    with pytest.raises(ValidationError):
        actions.send_phone_code("13912345678")  # resend too soon
    for _ in range(2):
        with pytest.raises(ValidationError):
            actions.verify_phone_code("13912345678", "999999" if last_code(sms) != "999999" else "888888")
    with pytest.raises(ValidationError, match=r"Too many|过多"):
        actions.verify_phone_code("13912345678", last_code(sms))
    with pytest.raises(ValidationError):
        actions.send_phone_code("12345")


@pytest.mark.django_db
def test_staff_totp_login(client, world):
    user = world.users[Role.DISTRICT_COMMAND]
    device = actions.start_totp(user)
    with pytest.raises(ValidationError):
        actions.confirm_totp(user, "000000" if totp(device.bin_key) != 0 else "111111")
    actions.confirm_totp(user, f"{totp(device.bin_key):06d}")
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:login_otp")
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=user)
    # The confirming token's time step is spent (no replay); the next step is within the tolerance.
    response = client.post(reverse("accounts:login_otp"), {"token": f"{totp(device.bin_key, drift=1):06d}"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


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
