"""Encryption at rest for personal data (identity numbers, phones).

Values are stored as Fernet tokens; a keyed digest (HMAC) beside them lets the database find a row by an
exact value (log in by phone, refuse a duplicate ID) without ever holding the plain text.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    # Settings refuse to load without keys (linli/core/keys.py); they are never derived from SECRET_KEY,
    # so a leaked or rotated SECRET_KEY neither exposes nor loses personal data.
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def primary_fernet() -> Fernet:
    """The newest key alone: what a value must decrypt under to count as rotated."""
    return Fernet(settings.FIELD_ENCRYPTION_KEYS[0])


def rotate_token(token: str) -> str:
    """Re-encrypt a stored token under the newest key, whichever configured key wrote it."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data could not be decrypted with the configured keys") from exc


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting == "FIELD_ENCRYPTION_KEYS":
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong key must fail loudly, never show ciphertext as data
        raise ValueError("personal data could not be decrypted with the configured keys") from exc


def digest(value: str) -> str:
    """Keyed digest for exact-match lookups, under FIELD_DIGEST_KEY: stable across rotation of the Fernet
    keys and of SECRET_KEY."""
    key = hashlib.sha256(b"linli-lookup-digest|" + settings.FIELD_DIGEST_KEY.encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted in the database and plain in Python."""

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
