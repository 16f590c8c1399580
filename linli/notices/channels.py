"""Outside channels a notice is also sent through, after the in-app inbox (which is always written).

settings.NOTICE_CHANNELS names the channel classes by dotted path. Each has a `name` and `send(notice)`;
a channel with nothing to send to (no phone, no e-mail) returns quietly. Channels never log a full phone
number or e-mail address: they may end up in log files that more people read than the user directory.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail

from linli.accounts.sms import get_backend
from linli.core.masking import mask_email, mask_phone

from .models import Notice

logger = logging.getLogger("linli.notices")


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...


def absolute_link(notice: Notice) -> str:
    """The notice's link as a full address for messages read outside Linli, when the site's address is set."""
    base = getattr(settings, "NOTICE_SITE_URL", "")
    return f"{base.rstrip('/')}{notice.link}" if base and notice.link else ""


def recipient_label(user: Any) -> str:
    """Who a log line is about, without contact details in the clear."""
    return mask_phone(user.phone) or mask_email(user.email) or f"user#{user.pk}"


class ConsoleChannel:
    """The default: writes one log line per notice, for the demo and development."""

    name = "console"

    def send(self, notice: Notice) -> None:
        logger.info("notice %s to %s: %s", notice.pk, recipient_label(notice.recipient), notice.title)


class SMSChannel:
    """Through the SMS backend that also sends login codes (settings.SMS_BACKEND)."""

    name = "sms"

    def send(self, notice: Notice) -> None:
        phone = notice.recipient.phone
        if not phone:
            return
        text = " ".join(part for part in (f"【邻里】{notice.title}", notice.body, absolute_link(notice)) if part)
        get_backend().send(phone, text)


class EmailChannel:
    """Through Django's mail settings (EMAIL_BACKEND, EMAIL_HOST …)."""

    name = "email"

    def send(self, notice: Notice) -> None:
        address = notice.recipient.email
        if not address:
            return
        text = "\n\n".join(part for part in (notice.body, absolute_link(notice)) if part)
        send_mail(notice.title, text, None, [address])
