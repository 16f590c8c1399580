"""Pluggable SMS sending. Settings name the backend class (SMS_BACKEND); the default logs the message,
which is what the demo and the tests read the code from.

The log backend is no way to reach real phones: in production (DEBUG off, not the demo, not the tests) it
refuses to send unless SMS_ALLOW_CONSOLE_IN_PRODUCTION is set; the page then says that text messages are not
set up, and nothing is written. (No deploy check: a server without any SMS gateway is a valid deployment,
with password and two-factor login only.)
It never writes a full phone number to the log.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from linli.core.masking import mask_phone

logger = logging.getLogger("linli.sms")

LOG_BACKEND = "linli.accounts.sms.LogSMSBackend"


class SMSBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


def _running_tests() -> bool:
    # Django's test setup (setup_test_environment, also run by pytest-django) adds mail.outbox.
    return hasattr(mail, "outbox")


def console_allowed() -> bool:
    """The log backend runs in development, the demo (settings.DEMO), the tests, or when explicitly allowed."""
    return bool(settings.DEBUG or settings.DEMO or _running_tests() or settings.SMS_ALLOW_CONSOLE_IN_PRODUCTION)


class LogSMSBackend:
    def __init__(self) -> None:
        if not console_allowed():
            raise ImproperlyConfigured(
                "SMS_BACKEND is the log backend, which sends no real SMS: configure an SMS gateway, "
                "or set SMS_ALLOW_CONSOLE_IN_PRODUCTION=1 to accept that codes only reach the log."
            )

    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class MemorySMSBackend:
    """Keeps messages in a list (`outbox`), for tests that read the code like a phone would."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def get_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    return backend
