"""notify: the inbox row is always written in the caller's transaction; outside channels run after commit,
each on its own, and never log a full phone number or e-mail address."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from linli.accounts.choices import Role
from linli.accounts.sms import MemorySMSBackend
from linli.notices.actions import notify
from linli.notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

SMS = "linli.notices.channels.SMSChannel"
EMAIL = "linli.notices.channels.EmailChannel"
CONSOLE = "linli.notices.channels.ConsoleChannel"
BROKEN = "linli.notices.tests.test_notify.BrokenChannel"
PHONE = "13912345678"


class BrokenChannel:
    """A gateway that fails, quoting the address in its error the way real client libraries do."""

    name = "broken"

    def send(self, notice: Notice) -> None:
        raise RuntimeError(f"gateway refused {notice.recipient.phone} {notice.recipient.email}")


@pytest.fixture
def resident(world: Any) -> Any:
    user = world.users[Role.RESIDENT]
    user.phone = PHONE
    user.email = "zhang.san@example.cn"
    user.save()
    return user


@pytest.fixture
def sms_outbox(settings: Any) -> list[tuple[str, str]]:
    settings.SMS_BACKEND = "linli.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    return MemorySMSBackend.outbox


def test_console_is_the_default_and_logs_a_masked_recipient(resident: Any, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="linli.notices")
    with transaction.atomic():
        notice = notify(resident, kind="general", title="矩阵通知一", body="您的诉求已受理")
    assert Notice.objects.get(pk=notice.pk).recipient_id == resident.pk
    assert "139****5678" in caplog.text and "矩阵通知一" in caplog.text
    assert PHONE not in caplog.text


def test_sms_reaches_the_backend_whole_while_logs_show_only_the_masked_phone(
    resident: Any, sms_outbox: list[tuple[str, str]], caplog: Any, settings: Any
) -> None:
    settings.NOTICE_SITE_URL = "https://linli.example.cn"
    caplog.set_level(logging.DEBUG)
    with transaction.atomic():
        notify(
            resident,
            kind="case_update",
            title="已派单",
            body="已派至东华门街道",
            link="/cases/7/",
            channels=[SMS, BROKEN],
        )
    assert sms_outbox == [(PHONE, "【邻里】已派单 已派至东华门街道 https://linli.example.cn/cases/7/")]
    assert "channel linli.notices.tests.test_notify.BrokenChannel failed (RuntimeError)" in caplog.text
    assert "139****5678" in caplog.text
    assert PHONE not in caplog.text and "zhang.san" not in caplog.text


def test_email_goes_through_django_mail(resident: Any) -> None:
    with transaction.atomic():
        notify(resident, kind="case_resolved", title="已办结", body="请评价", channels=[EMAIL])
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang.san@example.cn"]
    assert (mail.outbox[0].subject, mail.outbox[0].body) == ("已办结", "请评价")


def test_users_without_phone_or_email_are_skipped(world: Any, sms_outbox: list[tuple[str, str]]) -> None:
    nobody = world.users[Role.VOLUNTEER]
    assert not nobody.phone and not nobody.email
    with transaction.atomic():
        notice = notify(nobody, kind="general", title="无联系方式", channels=[SMS, EMAIL])
    assert sms_outbox == [] and mail.outbox == []
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_a_failing_channel_neither_loses_the_notice_nor_stops_the_others(
    resident: Any, sms_outbox: list[tuple[str, str]], caplog: Any
) -> None:
    with transaction.atomic():
        notice = notify(resident, kind="general", title="照常送达", channels=[BROKEN, "no.such.Channel", SMS, EMAIL])
    assert Notice.objects.filter(pk=notice.pk, title="照常送达").exists()
    assert [phone for phone, _ in sms_outbox] == [PHONE]
    assert len(mail.outbox) == 1
    assert caplog.text.count("failed") == 2
    assert PHONE not in caplog.text and "zhang.san@example.cn" not in caplog.text


def test_nothing_is_sent_or_stored_when_the_caller_rolls_back(resident: Any, sms_outbox: list[tuple[str, str]]) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        notify(resident, kind="general", title="回滚", channels=[SMS, EMAIL, CONSOLE])
        raise Abort
    assert not Notice.objects.filter(title="回滚").exists()
    assert sms_outbox == [] and mail.outbox == []


def test_sending_waits_for_the_callers_commit(resident: Any, sms_outbox: list[tuple[str, str]]) -> None:
    with transaction.atomic():
        notify(resident, kind="general", title="提交后发送", channels=[SMS])
        assert sms_outbox == []
    assert len(sms_outbox) == 1


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "cases/1/"])
def test_links_outside_linli_are_refused(resident: Any, link: str) -> None:
    with pytest.raises(ValidationError):
        notify(resident, kind="general", title="坏链接", link=link)
    assert not Notice.objects.filter(title="坏链接").exists()
