"""Helpers of the Excel import tests: build a workbook, run a file through upload → confirm → the task."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from openpyxl import Workbook

from linli.people import imports
from linli.people.imports_format import PERSON_COLUMNS
from linli.people.models import RegistryImport
from linli.people.tasks import run_registry_import

PERSON_HEADERS = [c.header for c in PERSON_COLUMNS]


def workbook(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))  # type: ignore[union-attr]
    for row in rows:
        sheet.append(list(row))  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def person_row(**values: Any) -> list[Any]:
    """A row of the persons template; keys are our field names."""
    fields = [c.field for c in PERSON_COLUMNS]
    return [values.get(f, "") for f in fields]


def run_file(
    user: Any,
    data: bytes,
    *,
    kind: str = "persons",
    filename: str = "people.xlsx",
    mapping: dict[str, str] | None = None,
) -> RegistryImport:
    """Upload, confirm (in English, so that reasons are the msgids), and run the job as the worker would."""
    with translation.override("en"):
        job = imports.upload(user, kind, io.BytesIO(data), filename)
        if mapping is not None:
            imports.set_mapping(user, job, mapping)
        imports.confirm(user, job)
    run_registry_import.call(job.pk)
    job.refresh_from_db()
    return job
