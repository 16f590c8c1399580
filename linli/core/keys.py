"""Where the settings' secrets come from: the environment in production, a generated file in the demo.

Imported by linli/settings.py, so it must not touch Django's settings or models. Outside the demo a missing
or public key stops the process while settings load, with a message that says what to set: a server that
starts on a key printed in the source signs sessions anyone can forge.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# Keys that shipped in the source at some point: as good as no key.
PUBLIC_SECRET_KEYS = frozenset({"linli-insecure-development-key-change-me-in-production"})

SECRET_KEY_HOWTO = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"  # noqa: S105 - a command, not a key
FERNET_KEY_HOWTO = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
DIGEST_KEY_HOWTO = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
DIGEST_KEY_MIN_LENGTH = 32
DEMO_HINT = "(For the demo on this machine only, set LINLI_DEMO=1 instead: keys are then generated into var/.)"


def generate_secret_key() -> str:
    return secrets.token_urlsafe(50)


def generate_fernet_key() -> str:
    return Fernet.generate_key().decode()


def generate_digest_key() -> str:
    return secrets.token_urlsafe(32)


class Keys(NamedTuple):
    secret_key: str
    field_keys: list[str]
    digest_key: str


def _fresh_demo_keys() -> dict[str, str]:
    return {
        "SECRET_KEY": generate_secret_key(),
        "FIELD_ENCRYPTION_KEYS": generate_fernet_key(),
        "FIELD_DIGEST_KEY": generate_digest_key(),
    }


def _write_private(path: Path, data: dict[str, str], *, replace: bool) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".demo-secrets-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race: use its keys
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def demo_secrets(path: Path) -> dict[str, str]:
    """The demo's keys, generated once and reused so the demo database stays decryptable across restarts.

    Written to a private temporary file and hard-linked into place, so two processes starting together
    (the web server and the task worker, or test workers) agree on one set of keys.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, _fresh_demo_keys(), replace=False)
    data = {k: str(v) for k, v in json.loads(path.read_text()).items()}
    if "FIELD_DIGEST_KEY" not in data:  # a demo file from before the digest key had its own
        data["FIELD_DIGEST_KEY"] = generate_digest_key()
        _write_private(path, data, replace=True)
    return data


def split_keys(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def resolve(environ: Mapping[str, str], *, demo: bool, demo_file: Path) -> Keys:
    """Return SECRET_KEY, FIELD_ENCRYPTION_KEYS and FIELD_DIGEST_KEY, or raise ImproperlyConfigured saying
    what to set."""
    secret_key = environ.get("SECRET_KEY", "").strip()
    field_keys = split_keys(environ.get("FIELD_ENCRYPTION_KEYS", ""))
    digest_key = environ.get("FIELD_DIGEST_KEY", "").strip()
    if demo and (not secret_key or not field_keys or not digest_key):
        generated = demo_secrets(demo_file)
        secret_key = secret_key or generated["SECRET_KEY"]
        field_keys = field_keys or [generated["FIELD_ENCRYPTION_KEYS"]]
        digest_key = digest_key or generated["FIELD_DIGEST_KEY"]
    if not secret_key or secret_key in PUBLIC_SECRET_KEYS or secret_key.startswith("django-insecure"):
        state = "is not set" if not secret_key else "is a public default"
        raise ImproperlyConfigured(
            f"SECRET_KEY {state}. Set the environment variable SECRET_KEY to a random value of 50 or more "
            f"characters, generated with: {SECRET_KEY_HOWTO} {DEMO_HINT}"
        )
    if not field_keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is not set. Set the environment variable FIELD_ENCRYPTION_KEYS to a Fernet "
            f"key (comma-separated, newest first, when rotating), generated with: {FERNET_KEY_HOWTO} "
            f"Keep it safe: personal data encrypted under it cannot be read without it. {DEMO_HINT}"
        )
    for position, key in enumerate(field_keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            # The position, never the value: error messages end up in logs.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key number {position} is not a Fernet key (32 url-safe base64-encoded "
                f"bytes). Generate one with: {FERNET_KEY_HOWTO}"
            ) from None
    if len(digest_key) < DIGEST_KEY_MIN_LENGTH:
        state = "is not set" if not digest_key else f"is shorter than {DIGEST_KEY_MIN_LENGTH} characters"
        # Phone numbers are few enough to try them all against a digest whose key is known, so this key is
        # as secret as the encryption keys, and separate from SECRET_KEY so rotating that loses no lookups.
        raise ImproperlyConfigured(
            f"FIELD_DIGEST_KEY {state}. Set the environment variable FIELD_DIGEST_KEY to a random value (it keys "
            f"the digests that find personal data by exact value), generated with: {DIGEST_KEY_HOWTO} "
            f"Keep it for the life of the data: digests made under another key no longer match. {DEMO_HINT}"
        )
    return Keys(secret_key, field_keys, digest_key)
