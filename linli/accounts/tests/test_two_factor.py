"""Two-factor doors, driven through the real pages with a plain client (no force-verified sessions)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from linli.accounts import two_factor
from linli.accounts.choices import Role
from linli.core.choices import AuditAction
from linli.core.management.commands.build_demo_city import Command as DemoCommand
from linli.core.models import AuditEvent


def code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, drift=drift):06d}"


def password_login(client: Client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def enrol(user) -> TOTPDevice:
    device = two_factor.start_totp(user)
    two_factor.confirm_totp(user, code(device))
    device.refresh_from_db()
    return device


@pytest.mark.django_db
def test_required_role_without_device_is_confined_to_enrolment(world):
    client = Client()
    user = world.users[Role.DISTRICT_COMMAND]
    response = password_login(client, user)
    assert response.status_code == 302 and response.url == reverse("accounts:security")
    for path in [reverse("home"), "/places/", "/api/v1/me/", "/admin/"]:
        response = client.get(path)
        assert response.status_code in (302, 403), path
        if response.status_code == 302:
            assert response.url == reverse("accounts:security"), path
    assert client.get(reverse("accounts:security")).status_code == 200
    # Enrolment: start, confirm with a code, see ten recovery codes once, and the doors open.
    client.post(reverse("accounts:security"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:security"), {"action": "confirm", "token": code(device)})
    codes = re.findall(r"<code>([a-z0-9]{8})</code>", response.content.decode())
    assert len(codes) == 10 and set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert client.get(reverse("home")).status_code == 200
    assert "<code>" + codes[0] not in client.get(reverse("accounts:security")).content.decode()  # shown once
    assert AuditEvent.objects.filter(action=AuditAction.TOTP_ENABLED, target_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_device_holder_passes_the_code_step_and_no_code_is_used_twice(world):
    user = world.users[Role.AUDITOR]
    device = enrol(user)
    client = Client()
    response = password_login(client, user)
    assert response.url == reverse("accounts:login_otp") and "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302  # not logged in yet
    # The confirming code's time step is spent: replaying it is refused.
    response = client.post(reverse("accounts:login_otp"), {"token": code(device)})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the replay counted as a failure; let the next step through now
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("accounts:login_otp"), {"token": code(device, drift=1)})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_wrong_codes_are_throttled(world):
    user = world.users[Role.AUDITOR]
    device = enrol(user)
    assert two_factor.verify_second_factor(user, "000000" if code(device, 1) != "000000" else "111111") is None
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # While throttled, even the right code is refused.
    assert two_factor.verify_second_factor(user, code(device, drift=1)) is None


@pytest.mark.django_db
def test_recovery_code_logs_in_once_and_is_audited(world):
    user = world.admin
    enrol(user)
    recovery = StaticToken.objects.filter(device__user=user).first().token
    client = Client()
    password_login(client, user)
    response = client.post(reverse("accounts:login_otp"), {"token": recovery})
    assert response.status_code == 302 and client.get(reverse("home")).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED).count() == 1
    other = Client()
    password_login(other, user)
    assert other.post(reverse("accounts:login_otp"), {"token": recovery}).status_code == 200  # spent


@pytest.mark.django_db
def test_recovery_codes_regenerate_only_with_a_current_code(world):
    user = world.users[Role.GRID_WORKER]
    device = enrol(user)
    old = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    with pytest.raises(ValidationError):
        two_factor.regenerate_recovery_codes(user, "123")
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    new = two_factor.regenerate_recovery_codes(user, code(device, drift=1))
    assert len(new) == 10 and not old & set(new)
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODES_REGENERATED).exists()


@pytest.mark.django_db
def test_disabling_needs_password_and_code_and_is_refused_where_required(world):
    worker = world.users[Role.GRID_WORKER]
    device = enrol(worker)
    with pytest.raises(ValidationError):
        two_factor.disable_two_factor(worker, password="wrong", token=code(device, drift=1))
    with pytest.raises(ValidationError):
        two_factor.disable_two_factor(worker, password=PASSWORD, token="")
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    two_factor.disable_two_factor(worker, password=PASSWORD, token=code(device, drift=1))
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not StaticToken.objects.filter(device__user=worker).exists()
    assert AuditEvent.objects.filter(action=AuditAction.TOTP_DISABLED, target_id=str(worker.pk)).exists()
    command = world.users[Role.DISTRICT_COMMAND]
    device = enrol(command)
    with pytest.raises(PermissionDenied):
        two_factor.disable_two_factor(command, password=PASSWORD, token=code(device, drift=1))
    assert TOTPDevice.objects.filter(user=command).exists()


@pytest.mark.django_db
def test_admin_opens_only_after_the_second_factor(world):
    admin = world.admin
    admin.is_staff = True
    admin.save()
    device = enrol(admin)
    # The admin's own login page is no door: it sends people to Linli's login.
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert Client().post("/admin/login/", {"username": admin.username, "password": PASSWORD}).status_code == 302
    # Password only (a session that skipped the code step): redirected away from /admin/ and logged out.
    bare = Client()
    bare.force_login(admin)
    response = bare.get("/admin/")
    assert response.status_code == 302 and not response.url.startswith("/admin/")
    assert "_auth_user_id" not in bare.session
    # With the code: in.
    client = Client()
    password_login(client, admin, next_url="/admin/")
    response = client.post(reverse("accounts:login_otp"), {"token": code(device, drift=1)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_accounts_that_need_two_factor_print_their_secret(world):
    two_factor.enrol_for_demo([world.admin, world.users[Role.AUDITOR], world.users[Role.GRID_WORKER]])
    out = io.StringIO()
    DemoCommand(stdout=out).print_accounts()
    lines = {line.split()[1]: line for line in out.getvalue().splitlines() if line.startswith("  ")}
    device = TOTPDevice.objects.get(user=world.admin)
    assert base64.b32encode(device.bin_key).decode() in lines["root"]
    assert "TOTP" in lines["a_auditor"] and "TOTP" not in lines["a_grid_worker"]
    assert not TOTPDevice.objects.filter(user=world.users[Role.GRID_WORKER]).exists()


@pytest.mark.django_db
def test_admin_site_itself_refuses_a_staff_session_without_the_second_factor(world):
    # A staff flag on a role that does not require two-factor: the middleware lets it pass, the admin does not.
    worker = world.users[Role.GRID_WORKER]
    worker.is_staff = True
    worker.save()
    client = Client()
    password_login(client, worker)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.get(response.url).url == reverse("accounts:security")
    device = enrol(worker)
    client = Client()
    password_login(client, worker)
    client.post(reverse("accounts:login_otp"), {"token": code(device, drift=1)})
    assert client.get("/admin/").status_code == 200
