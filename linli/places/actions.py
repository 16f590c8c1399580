"""Every write to the place tree. Atomic, permission-checked, one audit event each."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, LPad, Substr
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_registry, can_import_places
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.tabular import (
    ImportRejected,
    RowError,
    Table,
    read_table,
    require_columns,
    row_checker,
    write_csv,
    write_xlsx,
)
from linli.core.validation import check_name, normalize_phone

from . import validation
from .choices import PlaceLevel
from .geometry import CheckedGeometry, check_geometry
from .models import MAX_DEPTH, SEGMENT_WIDTH, Place, path_segment

EXPORT_COLUMNS = ["code", "name", "level", "parent_code", "geometry", "households", "contact_phone"]
BATCH = 2000


def _apply_geometry(place: Place, checked: CheckedGeometry | None) -> None:
    if checked is None:
        place.geometry = None
        place.min_lon = place.min_lat = place.max_lon = place.max_lat = None
        return
    place.geometry = checked.geojson
    place.min_lon, place.min_lat, place.max_lon, place.max_lat = checked.bbox
    place.longitude, place.latitude = checked.centroid


@transaction.atomic
def create_place(
    actor: Any,
    *,
    code: str,
    name: str,
    level: str,
    parent: Place | None,
    geometry: str | dict[str, Any] | None = None,
    households: int | None = None,
    contact_phone: str = "",
) -> Place:
    if not can_edit_registry(actor, parent):
        raise PermissionDenied(_("You may not add places here"))
    if parent is not None:
        parent = Place.objects.select_for_update().get(pk=parent.pk)
    name = check_name(name)
    validation.check_level(level)
    validation.check_code(code, level)
    validation.check_parent(level, code, parent.level if parent else None, parent.code if parent else None)
    if Place.objects.filter(code=code).exists():
        raise ValidationError(_("Code %(code)s already exists"), params={"code": code})
    if parent is not None and parent.depth + 1 >= MAX_DEPTH:
        raise ValidationError(_("The tree is too deep"))
    place = Place(
        code=code,
        name=name,
        level=level,
        parent=parent,
        households=households,
        contact_phone=normalize_phone(contact_phone) if contact_phone else "",
        path=uuid.uuid4().hex,
    )
    _apply_geometry(place, check_geometry(geometry))
    place.save()
    place.path = (parent.path if parent else "") + path_segment(place.pk)
    place.depth = parent.depth + 1 if parent else 0
    place.save(update_fields=["path", "depth"])
    audit.record(AuditAction.PLACE_CREATED, actor=actor, target=place, data={"level": level, "code": code})
    return place


@transaction.atomic
def update_place(actor: Any, place: Place, **changes: Any) -> Place:
    """Change name, geometry, households, phone or parent; a new parent moves the whole subtree."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    if not can_edit_registry(actor, place.parent) and not can_edit_registry(actor, place):
        raise PermissionDenied(_("You may not change this place"))
    before = {k: getattr(place, k) for k in ("name", "households", "parent_id")}
    if "name" in changes:
        place.name = check_name(str(changes["name"]))
    if "households" in changes:
        place.households = changes["households"]
    if "contact_phone" in changes:
        place.contact_phone = normalize_phone(changes["contact_phone"]) if changes["contact_phone"] else ""
    if "geometry" in changes:
        _apply_geometry(place, check_geometry(changes["geometry"]))
    place.save()
    new_parent = changes.get("parent", place.parent)
    if new_parent != place.parent:
        _move(actor, place, new_parent)
    after = {k: getattr(place, k) for k in ("name", "households", "parent_id")}
    audit.record(
        AuditAction.PLACE_UPDATED,
        actor=actor,
        target=place,
        data={"before": before, "after": after, "geometry_changed": "geometry" in changes},
    )
    return place


def _move(actor: Any, place: Place, new_parent: Place | None) -> None:
    if not can_edit_registry(actor, new_parent):
        raise PermissionDenied(_("You may not move places there"))
    if new_parent is not None:
        new_parent = Place.objects.select_for_update().get(pk=new_parent.pk)
        if new_parent.path.startswith(place.path):
            raise ValidationError(_("A place cannot move under itself"))
        validation.check_parent(place.level, place.code, new_parent.level, new_parent.code)
    old_path = place.path
    new_path = (new_parent.path if new_parent else "") + path_segment(place.pk)
    delta = (new_parent.depth + 1 if new_parent else 0) - place.depth
    # One UPDATE rewrites the prefix of every descendant's path, whatever the subtree's size.
    Place.objects.under(place).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)), depth=F("depth") + delta
    )
    Place.objects.filter(pk=place.pk).update(parent=new_parent)
    place.refresh_from_db()
    audit.record(
        AuditAction.PLACE_MOVED,
        actor=actor,
        target=place,
        data={"to": new_parent.code if new_parent else None},
    )


@dataclass
class ImportResult:
    created: int
    levels: dict[str, int]
    unchanged: int = 0


@dataclass
class _Row:
    number: int
    code: str
    name: str
    level: str
    parent_code: str
    geometry: CheckedGeometry | None
    households: int | None
    phone: str
    depth: int = 0  # relative to the file's roots, set once the tree is checked


def import_places(actor: Any, fileobj: IO[bytes], filename: str, *, merge: bool = False) -> ImportResult:
    table = read_table(fileobj, filename)
    return import_place_table(actor, table, source=filename, merge=merge)


def import_place_table(actor: Any, table: Table, source: str = "", *, merge: bool = False) -> ImportResult:
    """All-or-nothing import of a place tree; rows may come in any order, parents may be in the file
    or already in the database. Raises ImportRejected listing every bad row.

    With `merge`, a row whose code already exists under the same parent is left as it is (so a full
    division file can be laid over a tree that holds part of it); otherwise an existing code is an error."""
    if not can_import_places(actor):
        raise PermissionDenied(_("You may not import places"))
    require_columns(table, ["code", "name", "level"])
    rows, errors = _parse_rows(table.rows)
    by_code: dict[str, _Row] = {}
    for row in rows:
        if row.code in by_code:
            errors.append(
                RowError(row.number, "code", _("Duplicate code; first seen in row %d") % by_code[row.code].number)
            )
        else:
            by_code[row.code] = row
    wanted = {r.code for r in rows} | {r.parent_code for r in rows if r.parent_code}
    existing = _existing(wanted)
    skipped = 0
    for row in list(by_code.values()):
        if row.code not in existing:
            continue
        current = existing[row.code]
        parent_code = current.parent.code if current.parent_id and current.parent else ""
        if merge and parent_code == row.parent_code and current.level == row.level:
            del by_code[row.code]
            skipped += 1
        elif merge:
            errors.append(
                RowError(row.number, "parent_code", _("Code %s exists under another parent or level") % row.code)
            )
        else:
            errors.append(RowError(row.number, "code", _("Code %s already exists") % row.code))
    with transaction.atomic():
        parents = {code: p for code, p in existing.items()}
        editable = _editable_codes(actor, list(parents.values()))
        order = _check_tree(actor, by_code, parents, editable, errors)
        if errors:
            raise ImportRejected(errors)
        created = _insert(order, by_code, parents)
        levels: dict[str, int] = {}
        for row in order:
            levels[row.level] = levels.get(row.level, 0) + 1
        audit.record(
            AuditAction.PLACES_IMPORTED,
            actor=actor,
            target_type="places.place",
            target_repr=source[:255],
            data={"created": created, "levels": levels, "source": source, "unchanged": skipped},
        )
    return ImportResult(created=created, levels=levels, unchanged=skipped)


def _parse_rows(raw: Sequence[tuple[int, dict[str, str]]]) -> tuple[list[_Row], list[RowError]]:
    rows: list[_Row] = []
    errors: list[RowError] = []
    for number, cells in raw:
        row_errors: list[RowError] = []
        attempt = row_checker(number, row_errors)

        code = cells.get("code", "").strip()
        name = cells.get("name", "").strip()
        level = cells.get("level", "").strip()
        if not code:
            row_errors.append(RowError(number, "code", _("Code is required")))
        attempt("name", check_name, name)
        if attempt("level", validation.check_level, level) and code:
            attempt("code", validation.check_code, code, level)
        geometry = attempt("geometry", check_geometry, cells.get("geometry", ""))
        households = attempt("households", validation.check_households, cells.get("households", ""))
        phone_text = cells.get("contact_phone", "").strip()
        phone = attempt("contact_phone", normalize_phone, phone_text) if phone_text else ""
        errors.extend(row_errors)
        rows.append(
            _Row(number, code, name, level, cells.get("parent_code", "").strip(), geometry, households, phone or "")
        )
    return rows, errors


def _existing(codes: Iterable[str]) -> dict[str, Place]:
    found: dict[str, Place] = {}
    codes = list(codes)
    for start in range(0, len(codes), BATCH):
        for place in (
            Place.objects.filter(code__in=codes[start : start + BATCH])
            .select_related("parent")
            .only("id", "code", "level", "path", "depth", "parent__code")
        ):
            found[place.code] = place
    return found


def _editable_codes(actor: Any, places: list[Place]) -> set[str]:
    ids = [p.pk for p in places]
    editable: set[str] = set()
    for start in range(0, len(ids), BATCH):
        editable.update(
            Place.objects.restrict(actor, "change")
            .filter(pk__in=ids[start : start + BATCH])
            .values_list("code", flat=True)
        )
    return editable


def _check_tree(
    actor: Any,
    by_code: dict[str, _Row],
    parents: dict[str, Place],
    editable: set[str],
    errors: list[RowError],
) -> list[_Row]:
    from linli.accounts.scopes import is_platform_admin

    is_admin = is_platform_admin(actor)
    depth_of: dict[str, int] = {}
    order: list[_Row] = []
    bad: set[str] = set()

    def level_of(code: str) -> str | None:
        if code in by_code:
            return by_code[code].level
        return parents[code].level if code in parents else None

    for row in by_code.values():
        if row.parent_code:
            if row.parent_code not in by_code and row.parent_code not in parents:
                errors.append(RowError(row.number, "parent_code", _("Unknown parent code %s") % row.parent_code))
                bad.add(row.code)
                continue
            if row.parent_code in parents and row.parent_code not in editable:
                errors.append(
                    RowError(row.number, "parent_code", _("Parent %s is outside your scope") % row.parent_code)
                )
                bad.add(row.code)
                continue
            parent_level = level_of(row.parent_code)
            if parent_level in validation.LEVEL_RANK and row.level in validation.LEVEL_RANK:
                try:
                    validation.check_parent(row.level, row.code, parent_level, row.parent_code)
                except ValidationError as exc:
                    errors.extend(RowError(row.number, "parent_code", m) for m in exc.messages)
                    bad.add(row.code)
        elif not is_admin:
            errors.append(RowError(row.number, "parent_code", _("A parent code is required")))
            bad.add(row.code)

    # Depth-first resolution of in-file parents; a code reached again while still open is a cycle.
    state: dict[str, int] = {}

    def resolve(code: str) -> int:
        if code in parents:
            return parents[code].depth
        if state.get(code) == 1:
            raise _Cycle
        if code in depth_of:
            return depth_of[code]
        state[code] = 1
        row = by_code[code]
        depth = resolve(row.parent_code) + 1 if row.parent_code else 0
        state[code] = 2
        depth_of[code] = depth
        return depth

    for row in by_code.values():
        if row.code in bad:
            continue
        try:
            if resolve(row.code) >= MAX_DEPTH:
                errors.append(RowError(row.number, "parent_code", _("The tree is too deep")))
        except _Cycle:
            errors.append(RowError(row.number, "parent_code", _("Parent codes form a cycle")))
            state.clear()
        except KeyError:
            pass  # an ancestor row is itself bad and already reported
    order = [r for r in by_code.values() if r.code in depth_of]
    for row in order:
        row.depth = depth_of[row.code]
    return sorted(order, key=lambda r: r.depth)


class _Cycle(Exception):
    pass


def _insert(order: list[_Row], by_code: dict[str, _Row], parents: dict[str, Place]) -> int:
    known: dict[str, tuple[int, str, int]] = {code: (p.pk, p.path, p.depth) for code, p in parents.items()}
    created = 0
    # Rows arrive sorted by depth; a batch never spans two depths, so every parent was inserted earlier.
    batches: list[list[_Row]] = []
    for _depth, group in groupby(order, key=lambda r: r.depth):
        rows = list(group)
        batches.extend(rows[i : i + BATCH] for i in range(0, len(rows), BATCH))
    for chunk in batches:
        objs = []
        for row in chunk:
            place = Place(
                code=row.code,
                name=row.name,
                level=row.level,
                parent_id=known[row.parent_code][0] if row.parent_code else None,
                households=row.households,
                contact_phone=row.phone,
                path=uuid.uuid4().hex,
            )
            _apply_geometry(place, row.geometry)
            objs.append(place)
        objs = Place.objects.bulk_create(objs)
        ids = [place.pk for place in objs]
        segment = LPad(Cast("id", CharField()), SEGMENT_WIDTH, Value("0"))
        if chunk[0].parent_code:
            # One UPDATE per batch (all rows share a depth) beats bulk_update's per-row CASE by far.
            parent_path = Subquery(Place.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
            parent_depth = Subquery(Place.objects.filter(pk=OuterRef("parent_id")).values("depth")[:1])
            Place.objects.filter(pk__in=ids).update(path=Concat(parent_path, segment), depth=parent_depth + 1)
        else:
            Place.objects.filter(pk__in=ids).update(path=segment, depth=0)
        written = {
            pk: (pk, path, depth)
            for pk, path, depth in Place.objects.filter(pk__in=ids).values_list("id", "path", "depth")
        }
        for row, place in zip(chunk, objs, strict=True):
            known[row.code] = written[place.pk]
        created += len(objs)
    return created


def export_places(actor: Any, root: Place | None = None, fmt: str = "xlsx") -> bytes:
    """The tree (or the part under `root`) in the import's own columns, so an export re-imports."""
    qs = Place.objects.restrict(actor, "export")
    if root is not None:
        qs = qs.under(root)
    rows = (
        (
            p.code,
            p.name,
            p.level,
            p.parent.code if p.parent_id and p.parent else "",
            _geojson_text(p.geometry),
            p.households if p.households is not None else "",
            "",  # phones never leave in an export without a role that needs them; see export_places_with_phones
        )
        for p in qs.select_related("parent").order_by("path").iterator(chunk_size=2000)
    )
    data = write_xlsx(EXPORT_COLUMNS, rows, "places") if fmt == "xlsx" else write_csv(EXPORT_COLUMNS, rows)
    audit.record(
        AuditAction.PLACES_EXPORTED,
        actor=actor,
        target_type="places.place",
        target_id=str(root.pk) if root else "",
        target_repr=str(root) if root else "all",
        data={"format": fmt},
    )
    return data


def _geojson_text(geometry: dict[str, Any] | None) -> str:
    import json

    return json.dumps(geometry, ensure_ascii=False, separators=(",", ":")) if geometry else ""


__all__ = ["PlaceLevel", "create_place", "export_places", "import_place_table", "import_places", "update_place"]
