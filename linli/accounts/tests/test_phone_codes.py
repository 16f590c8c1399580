from __future__ import annotations

import logging
import re

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.urls import reverse

from linli.accounts import phone_codes
from linli.accounts.choices import Role
from linli.accounts.models import Grant, PhoneCode
from linli.accounts.sms import LogSMSBackend, MemorySMSBackend
from linli.core.choices import AuditAction
from linli.core.models import AuditEvent

STAFF_PHONE = "13700000009"


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    return MemorySMSBackend.outbox


@pytest.fixture
def staff(world):
    user = world.users[Role.STREET_DISPATCHER]
    user.phone = STAFF_PHONE
    user.save()
    return user


@pytest.mark.django_db(transaction=True)
def test_a_staff_phone_gets_no_code_and_the_page_does_not_tell(client, staff, sms):
    response = client.post(reverse("accounts:phone_send"), {"phone": STAFF_PHONE})
    stranger = client.post(reverse("accounts:phone_send"), {"phone": "13912340000"})
    # Same page either way: nobody learns from it which numbers belong to officials.
    assert response.status_code == stranger.status_code == 200

    def page(response, masked: str, phone: str) -> str:
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return text.replace(masked, "X").replace(phone, "Y")

    assert page(response, "137****0009", STAFF_PHONE) == page(stranger, "139****0000", "13912340000")
    to_staff = [m for p, m in sms if p == STAFF_PHONE]
    assert len(to_staff) == 1 and not re.search(r"\d{6}", to_staff[0])  # a notice, not a code
    assert AuditEvent.objects.filter(action=AuditAction.PHONE_CODE_REFUSED, target_id=str(staff.pk)).exists()
    for guess in ("000000", "123456"):
        response = client.post(reverse("accounts:phone_verify"), {"phone": STAFF_PHONE, "code": guess})
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_a_code_sent_before_a_staff_grant_does_not_log_staff_in(world, sms):
    resident = world.users[Role.RESIDENT]
    phone_codes.send_phone_code(resident.phone)
    code = re.search(r"\d{6}", sms[-1][1]).group(0)
    Grant.objects.create(user=resident, role=Role.GRID_WORKER, place=world.place("110101001001001"))
    with pytest.raises(PermissionDenied):
        phone_codes.verify_phone_code(resident.phone, code)


@pytest.mark.django_db(transaction=True)
def test_volunteer_logs_in_by_phone_and_codes_are_hmac_at_rest(client, world, sms):
    volunteer = world.users[Role.VOLUNTEER]
    volunteer.phone = "13600000001"
    volunteer.save()
    client.post(reverse("accounts:phone_send"), {"phone": volunteer.phone})
    code = re.search(r"\d{6}", sms[-1][1]).group(0)
    entry = PhoneCode.objects.get()
    assert code not in entry.code_hash and len(entry.code_hash) == 64 and not entry.code_hash.startswith("pbkdf2")
    assert entry.code_hash == phone_codes.code_hmac(entry.phone_digest, code)
    response = client.post(reverse("accounts:phone_verify"), {"phone": volunteer.phone, "code": code})
    assert response.status_code in (204, 302) and client.session["_auth_user_id"] == str(volunteer.pk)


@pytest.mark.django_db(transaction=True)
def test_sending_is_capped_per_phone_per_hour_and_per_address(sms, settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    settings.PHONE_CODE_MAX_PER_HOUR = 2
    settings.PHONE_CODE_MAX_PER_ADDRESS_PER_HOUR = 3
    for _ in range(2):
        phone_codes.send_phone_code("13912345678", client_ip="198.51.100.1")
    with pytest.raises(ValidationError, match=r"hour|小时"):
        phone_codes.send_phone_code("13912345678", client_ip="198.51.100.2")
    phone_codes.send_phone_code("13912345679", client_ip="198.51.100.1")
    with pytest.raises(ValidationError, match=r"network|网络"):
        phone_codes.send_phone_code("13912345670", client_ip="198.51.100.1")
    phone_codes.send_phone_code("13912345670", client_ip="198.51.100.3")  # another address is not held back
    assert len(sms) == 4


def test_log_backend_masks_the_number(caplog):
    with caplog.at_level(logging.INFO, logger="linli.sms"):
        LogSMSBackend().send("13912345678", "Your Linli code is 123456")
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text and "123456" in caplog.text


def test_log_backend_refuses_production_unless_allowed(settings, monkeypatch):
    monkeypatch.delattr(mail, "outbox", raising=False)  # as outside the test environment
    settings.DEMO = False
    settings.DEBUG = False
    settings.SMS_BACKEND = "linli.accounts.sms.LogSMSBackend"
    settings.SMS_ALLOW_CONSOLE_IN_PRODUCTION = False
    with pytest.raises(ImproperlyConfigured):
        LogSMSBackend()
    settings.DEMO = True
    LogSMSBackend()
    settings.DEMO = False
    settings.SMS_ALLOW_CONSOLE_IN_PRODUCTION = True
    LogSMSBackend()
