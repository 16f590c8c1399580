"""Token text: `linli_<prefix>_<secret>`. The prefix finds the row; only the secret's digest is stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_START = "linli_"  # noqa: S105 - the visible start of every token, not a secret


def new_token() -> tuple[str, str]:
    """A fresh (prefix, full token text)."""
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def token_prefix(text: str) -> str | None:
    if not text.startswith(TOKEN_START):
        return None
    prefix, _, secret = text[len(TOKEN_START) :].partition("_")
    return prefix if prefix and secret else None
