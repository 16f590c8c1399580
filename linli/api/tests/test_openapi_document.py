"""docs/openapi.yaml is the API's document as the code generates it, and covers every step of the loop."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from linli.api.cases_steps import STEPS

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.yaml"


def generate(path: Path) -> str:
    # The same command and options as `make openapi`; --validate checks it against the OpenAPI 3 schema.
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(path))
    return path.read_text(encoding="utf-8")


def test_the_committed_document_is_the_generated_one(tmp_path: Path) -> None:
    generated = generate(tmp_path / "openapi.yaml")
    assert COMMITTED.read_text(encoding="utf-8") == generated, "docs/openapi.yaml is stale: run `make openapi`"


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_workflow_step_is_documented(name: str) -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    assert f"  /api/v1/cases/{{number}}/{name}/:\n    post:\n" in text


def test_the_document_holds_cases_and_not_open311() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    assert "  /api/v1/cases/:\n    get:" in text and "\n    post:\n      operationId: v1_cases_create" in text
    assert "Idempotency-Key" in text and "/open311/" not in text  # Open311 is its own spec, not this document's
