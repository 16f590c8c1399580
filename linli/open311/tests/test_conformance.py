"""The conformance check in tools/ (written from the spec, standard library only) run against a live server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[3] / "tools" / "open311_conformance.py"


def run(url: str, key: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(TOOL), "--url", url, "--api-key", key, "--lat", "39.9", "--long", "116.05"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603


@pytest.mark.django_db(transaction=True)
def test_the_conformance_check_passes(live_server, world, matter, api_key):
    result = run(f"{live_server.url}/open311/v2/", api_key)
    assert result.returncode == 0 and " 0 failed" in result.stdout, result.stdout + result.stderr
    assert "PASS GET tokens/<token>.json gives the service_request_id" in result.stdout
    assert result.stdout.count("PASS") >= 80


@pytest.mark.django_db(transaction=True)
def test_the_conformance_check_can_fail(live_server, world, matter):
    result = run(f"{live_server.url}/open311/v2/", "linli_not_a_key")
    assert result.returncode == 1 and "FAIL keyed POST requests.json is accepted" in result.stdout
