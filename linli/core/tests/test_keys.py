"""Secrets at start-up: production refuses missing or public keys, the demo generates them once."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from linli.core.keys import (
    PUBLIC_SECRET_KEYS,
    generate_digest_key,
    generate_fernet_key,
    generate_secret_key,
    resolve,
)

# Everything that could make a child process a demo or give it keys, removed so each test sets its own
# (and Playwright's DJANGO_ALLOW_ASYNC_UNSAFE, which a deploy check rightly refuses).
_OURS = (
    "LINLI_DEMO",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "FIELD_DIGEST_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_",
    "DJANGO_ALLOW_ASYNC",
)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=generate_secret_key(),
        FIELD_ENCRYPTION_KEYS=generate_fernet_key(),
        FIELD_DIGEST_KEY=generate_digest_key(),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("secret_key", ["", *PUBLIC_SECRET_KEYS])
def test_server_refuses_to_start_on_missing_or_public_secret_key(secret_key):
    result = manage(
        "check",
        SECRET_KEY=secret_key,
        FIELD_ENCRYPTION_KEYS=generate_fernet_key(),
        FIELD_DIGEST_KEY=generate_digest_key(),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr  # says how to make one


def test_server_refuses_to_start_without_field_encryption_keys():
    result = manage("check", SECRET_KEY=generate_secret_key(), FIELD_DIGEST_KEY=generate_digest_key())
    assert result.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS is not set" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


def test_demo_generates_keys_once_into_a_private_file(tmp_path: Path):
    path = tmp_path / "var" / "demo-secrets.json"
    first = resolve({}, demo=True, demo_file=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve({}, demo=True, demo_file=path) == first  # the demo database stays readable
    assert len(first[0]) >= 50 and first[0] not in PUBLIC_SECRET_KEYS
    assert list(tmp_path.joinpath("var").iterdir()) == [path]  # no temporary file left behind


def test_environment_wins_over_demo_file(tmp_path: Path):
    key = generate_fernet_key()
    secret, keys, digest_key = resolve({"FIELD_ENCRYPTION_KEYS": f" {key} ,"}, demo=True, demo_file=tmp_path / "s.json")
    assert keys == [key] and secret and digest_key  # the other two still come from the file


def test_server_refuses_to_start_without_a_digest_key():
    result = manage("check", SECRET_KEY=generate_secret_key(), FIELD_ENCRYPTION_KEYS=generate_fernet_key())
    assert result.returncode != 0
    assert "ImproperlyConfigured: FIELD_DIGEST_KEY is not set" in result.stderr


def test_digests_do_not_depend_on_secret_key(settings):
    from linli.core.crypto import digest

    before = digest("13800000001")
    settings.SECRET_KEY = generate_secret_key()
    assert digest("13800000001") == before
    settings.FIELD_DIGEST_KEY = generate_digest_key()
    assert digest("13800000001") != before


def test_an_older_demo_file_gains_a_digest_key_and_keeps_its_other_keys(tmp_path: Path):
    import json

    path = tmp_path / "demo-secrets.json"
    old = {"SECRET_KEY": generate_secret_key(), "FIELD_ENCRYPTION_KEYS": generate_fernet_key()}
    path.write_text(json.dumps(old))
    keys = resolve({}, demo=True, demo_file=path)
    assert (keys.secret_key, keys.field_keys) == (old["SECRET_KEY"], [old["FIELD_ENCRYPTION_KEYS"]])
    assert keys.digest_key and resolve({}, demo=True, demo_file=path) == keys
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_outside_the_demo_nothing_is_generated(tmp_path: Path):
    path = tmp_path / "demo-secrets.json"
    with pytest.raises(ImproperlyConfigured, match="LINLI_DEMO=1"):
        resolve({}, demo=False, demo_file=path)
    assert not path.exists()


def test_a_malformed_field_key_is_refused_without_echoing_it():
    with pytest.raises(ImproperlyConfigured, match="key number 2 is not a Fernet key") as caught:
        resolve(
            {
                "SECRET_KEY": generate_secret_key(),
                "FIELD_ENCRYPTION_KEYS": f"{generate_fernet_key()},not-a-key-xyz",
                "FIELD_DIGEST_KEY": generate_digest_key(),
            },
            demo=False,
            demo_file=Path("/nonexistent"),
        )
    assert "not-a-key-xyz" not in str(caught.value)


def test_demo_settings_hold_generated_keys_not_derived_ones():
    assert settings.DEMO
    assert settings.SECRET_KEY not in PUBLIC_SECRET_KEYS
    assert settings.FIELD_ENCRYPTION_KEYS
