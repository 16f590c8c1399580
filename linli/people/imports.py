"""Excel into the registry (persons and households, or houses and owners): upload, match the columns, look
at a preview, then a background job checks every row and writes all of them or none.

The flow of one file is one RegistryImport: uploaded (the file kept Fernet-encrypted in `payload`), its
columns matched to our fields (guessed from the headings, confirmed by hand when the layout is not ours:
`mapping`), previewed (the first rows checked, personal numbers masked), confirmed, then run by the task
`run_registry_import`: it counts rows as it checks them, in small commits of their own so that the job page's
progress bar moves, rejects the file with every bad row and its reason, or writes it in one transaction,
with one audit event of counts. The file is dropped when the job ends, whatever the outcome.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_import_registry
from linli.core import audit
from linli.core.choices import AuditAction

from .choices import ImportKind, ImportStatus
from .imports_check import ERROR_CAP
from .imports_format import (
    COLUMNS,
    EXAMPLE_MARK,
    FileUnreadable,
    count_rows,
    guess_mapping,
    mapping_is_exact,
    read_rows,
    seal,
    unseal,
)
from .imports_houses import HouseChecker
from .imports_persons import PersonChecker
from .models import RegistryImport

logger = logging.getLogger("linli.people")

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
PREVIEW_ROWS = 20
PROGRESS_EVERY = 2000
FINAL = (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)
ANALYZE_AFTER = 10_000


def checker_for(kind: str, actor: Any, labels: Mapping[str, str]) -> PersonChecker | HouseChecker:
    return PersonChecker(actor, labels) if kind == ImportKind.PERSONS else HouseChecker(actor, labels)


def is_draft(job: RegistryImport) -> bool:
    """Uploaded, not yet confirmed: the uploader may still change the mapping or drop it."""
    return job.status == ImportStatus.QUEUED and not job.mapping.get("confirmed")


def needs_mapping(job: RegistryImport) -> bool:
    return not job.mapping.get("settled")


def fields_of(job: RegistryImport) -> dict[str, str]:
    return dict(job.mapping.get("fields") or {})


def _is_example(cells: list[Any]) -> bool:
    return any(isinstance(c, str) and c.startswith(EXAMPLE_MARK) for c in cells)


# --------------------------------------------------------------------------------------------------
# Upload, mapping, preview, confirmation (the request side)


def upload(actor: Any, kind: str, fileobj: IO[bytes], filename: str) -> RegistryImport:
    if not can_import_registry(actor):
        raise PermissionDenied(_("You may not import into the registry"))
    if kind not in ImportKind.values:
        raise ValidationError(_("Pick what the file holds"))
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(size)d MB") % {"size": MAX_BYTES // (1024 * 1024)})
    try:
        header, rows = read_rows(data, filename)
        rows.close()
        total = count_rows(data, filename)
    except FileUnreadable as exc:
        raise ValidationError(str(exc)) from None
    if total == 0:
        raise ValidationError(_("The file has no rows to import"))
    if total > MAX_ROWS:
        raise ValidationError(_("Too many rows (at most %d)") % MAX_ROWS)
    mapping = guess_mapping(kind, header)
    return RegistryImport.objects.create(
        kind=kind,
        filename=filename[-200:],
        payload=seal(data),
        mapping={"fields": mapping, "settled": mapping_is_exact(kind, header, mapping), "confirmed": False},
        total_rows=total,
        created_by=actor,
    )


def headers_of(job: RegistryImport) -> list[str]:
    header, rows = read_rows(unseal(job.payload), job.filename)
    rows.close()
    return header


def set_mapping(actor: Any, job: RegistryImport, fields: Mapping[str, str]) -> RegistryImport:
    """Our field → the file's column, as the uploader confirmed it; every required field needs a column and
    no column serves two fields."""
    if job.created_by_id != getattr(actor, "pk", None) or not is_draft(job):
        raise PermissionDenied(_("This import can no longer be changed"))
    header = set(headers_of(job))
    chosen = {f: c for f, c in fields.items() if c}
    errors: dict[str, list[str]] = {}
    for column in COLUMNS[ImportKind(job.kind)]:
        picked = chosen.get(column.field, "")
        if picked and picked not in header:
            errors[column.field] = [_("The file has no such column")]
        elif column.required and not picked:
            errors[column.field] = [_("This field is required")]
    taken: dict[str, str] = {}
    for name, column_name in chosen.items():
        if column_name in taken:
            errors.setdefault(name, []).append(_("This column is already used for another field"))
        taken.setdefault(column_name, name)
    if errors:
        raise ValidationError(errors)
    known = {c.field for c in COLUMNS[ImportKind(job.kind)]}
    job.mapping = {**job.mapping, "fields": {f: c for f, c in chosen.items() if f in known}, "settled": True}
    job.save(update_fields=["mapping"])
    return job


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    problem: str = ""


@dataclass
class Preview:
    headers: list[str]
    rows: list[PreviewRow] = field(default_factory=list)
    total: int = 0
    examples: int = 0

    @property
    def problems(self) -> int:
        return sum(1 for r in self.rows if r.problem)


def _column_index(header: list[str], fields: Mapping[str, str]) -> dict[str, int]:
    return {f: header.index(c) for f, c in fields.items() if c in header}


def _raw(index: Mapping[str, int], cells: list[Any]) -> dict[str, Any]:
    return {f: (cells[i] if i < len(cells) else "") for f, i in index.items()}


def preview(job: RegistryImport) -> Preview:
    """The first rows of the file as they would be imported, checked like the whole file will be (their
    houses, duplicates among them and in the registry), with personal numbers masked."""
    header, rows = read_rows(unseal(job.payload), job.filename)
    fields = fields_of(job)
    index = _column_index(header, fields)
    checker = checker_for(job.kind, job.created_by, fields)
    seen: list[tuple[int, dict[str, Any], Any]] = []
    examples = 0
    try:
        for number, cells in rows:
            if _is_example(cells):
                examples += 1
                continue
            raw = _raw(index, cells)
            seen.append((number, raw, checker.add(number, raw)))
            if len(seen) >= PREVIEW_ROWS:
                break
    finally:
        rows.close()
    checker.finish()
    shown_fields = [c.field for c in COLUMNS[ImportKind(job.kind)] if c.field in index and c.field != "note"]
    result = Preview(headers=[fields[f] for f in shown_fields], total=job.total_rows, examples=examples)
    for number, raw, row in seen:
        shown = checker.shown(raw, row)  # type: ignore[arg-type]
        problem = "；".join(checker.report.problems.get(number, []))
        result.rows.append(PreviewRow(number, [shown.get(f, "") for f in shown_fields], problem))
    return result


def confirm(actor: Any, job: RegistryImport) -> RegistryImport:
    """Start the job; the task row is written in the same transaction when tasks live in this database."""
    if job.created_by_id != getattr(actor, "pk", None) or not is_draft(job) or needs_mapping(job):
        raise PermissionDenied(_("This import can no longer be changed"))
    from .tasks import run_registry_import

    with transaction.atomic():
        job.mapping = {**job.mapping, "confirmed": True, "language": translation.get_language() or ""}
        job.save(update_fields=["mapping"])
        if _tasks_in_this_database():
            run_registry_import.enqueue(job.pk)
        else:
            transaction.on_commit(lambda: run_registry_import.enqueue(job.pk))
    return job


def discard(actor: Any, job: RegistryImport) -> None:
    if job.created_by_id != getattr(actor, "pk", None) or not is_draft(job):
        raise PermissionDenied(_("This import can no longer be changed"))
    job.delete()


def _tasks_in_this_database() -> bool:
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


# --------------------------------------------------------------------------------------------------
# The job (the task side)


def _finish(job: RegistryImport, status: str, **values: Any) -> None:
    RegistryImport.objects.filter(pk=job.pk).update(status=status, payload=b"", finished_at=timezone.now(), **values)


def _reject(job: RegistryImport, message: str) -> str:
    _finish(job, ImportStatus.REJECTED, errors=[[0, message]], error_count=1)
    return ImportStatus.REJECTED


def run(job_id: int) -> str:
    """Check every row, then write all or none. Runs once per job: a second delivery finds it claimed."""
    claimed = RegistryImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED, mapping__confirmed=True).update(
        status=ImportStatus.CHECKING, checked_rows=0
    )
    if not claimed:
        return "skipped"
    job = RegistryImport.objects.select_related("created_by").get(pk=job_id)
    with translation.override(job.mapping.get("language") or settings.LANGUAGE_CODE), _no_cyclic_gc():
        try:
            return _run(job)
        except IntegrityError:
            logger.warning("registry import %s: a conflicting change was written meanwhile", job_id)
            message = _(
                "Someone registered some of these people or houses while the file was checked; nothing was imported. Upload it again."
            )
            _finish(job, ImportStatus.FAILED, errors=[[0, message]], error_count=0)
            return ImportStatus.FAILED
        except Exception:
            logger.exception("registry import %s failed", job_id)
            message = _("The import stopped on an unexpected error; nothing was imported.")
            _finish(job, ImportStatus.FAILED, errors=[[0, message]], error_count=0)
            return ImportStatus.FAILED


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """A job holds a few hundred thousand small objects for minutes; Python's cycle collector would scan them
    all again and again as more are made (a third of a 100,000-row import's time). Reference counting still
    frees everything; the collector runs once at the end for whatever cycles the job left."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _stream(job: RegistryImport) -> Iterator[tuple[int, dict[str, Any]]]:
    header, rows = read_rows(unseal(job.payload), job.filename)
    index = _column_index(header, fields_of(job))
    try:
        for number, cells in rows:
            if not _is_example(cells):
                yield number, _raw(index, cells)
    finally:
        rows.close()


def _run(job: RegistryImport) -> str:
    actor = job.created_by
    if not can_import_registry(actor):
        return _reject(job, _("You may not import into the registry"))
    checker = checker_for(job.kind, actor, fields_of(job))
    started = time.perf_counter()
    checked = 0
    try:
        for number, raw in _stream(job):
            checker.add(number, raw)
            checked += 1
            if checked > MAX_ROWS:
                return _reject(job, _("Too many rows (at most %d)") % MAX_ROWS)
            if checked % PROGRESS_EVERY == 0:
                RegistryImport.objects.filter(pk=job.pk).update(
                    checked_rows=checked, total_rows=max(job.total_rows, checked)
                )
    except FileUnreadable as exc:
        return _reject(job, str(exc))
    RegistryImport.objects.filter(pk=job.pk).update(checked_rows=checked, total_rows=checked)
    if not checked:
        return _reject(job, _("The file has no rows to import"))
    checker.finish()
    timing = {"check_s": round(time.perf_counter() - started, 1)}
    if checker.report:
        _finish(
            job,
            ImportStatus.REJECTED,
            errors=checker.report.listed(ERROR_CAP),
            error_count=checker.report.bad_rows,
            created={"timing": timing},
        )
        return ImportStatus.REJECTED
    RegistryImport.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING)
    started = time.perf_counter()
    with transaction.atomic():
        created = checker.write(actor, job.pk)
        audit.record(
            AuditAction.PERSONS_IMPORTED,
            actor=actor,
            target_type="people.registryimport",
            target_id=str(job.pk),
            data={"kind": job.kind, "rows": checked, "created": created},
        )
        timing["write_s"] = round(time.perf_counter() - started, 1)
        _finish(job, ImportStatus.DONE, errors=[], error_count=0, created={**created, "timing": timing})
    if checked >= ANALYZE_AFTER:
        _refresh_statistics(checker.tables)
    return ImportStatus.DONE


def _refresh_statistics(tables: tuple[str, ...]) -> None:
    """After a large import PostgreSQL's planner still believes the tables small until autovacuum comes round
    (a minute or more): it then picks a hash join over every place of a district for an exact phone search
    (13 ms instead of 0.1 ms on 100,000 persons). ANALYZE now; on failure the statistics just stay stale."""
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
    except DatabaseError:
        logger.warning("could not analyze %s after an import", tables)
