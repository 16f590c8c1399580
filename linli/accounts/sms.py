"""Pluggable SMS sending. Settings name the backend class (SMS_BACKEND); the default logs the message,
which is what a demo and the tests read the code from."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("linli.sms")


class SMSBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class LogSMSBackend:
    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", phone, message)


class MemorySMSBackend:
    """Keeps messages in a list (`outbox`), for tests that read the code like a phone would."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def get_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.SMS_BACKEND)()
    return backend
