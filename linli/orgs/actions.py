"""Every write to units, the responsibility list and admission records."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_responsibility_list, can_edit_units
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
from linli.core.validation import check_name, check_plain_text, normalize_phone
from linli.places.models import Place

from .choices import CaseType, DepartmentType, MatterClass, OwnerLevel, UnitKind
from .deadlines import parse_spec
from .models import Matter, MatterAdmission, Unit

MATTER_COLUMNS = [
    "code",
    "name",
    "case_type",
    "major_class",
    "minor_class",
    "teddy_class",
    "keywords",
    "owner_level",
    "department_type",
    "contact_normal",
    "contact_urgent",
    "handle_normal",
    "handle_urgent",
    "complex",
    "utility",
    "source",
]
DEADLINE_COLUMNS = ("contact_normal", "contact_urgent", "handle_normal", "handle_urgent")
UNIT_COLUMNS = ["code", "name", "kind", "department_type", "parent_code", "jurisdiction_codes", "contact_phone"]
TRUE_VALUES = {"1", "true", "yes", "是", "y"}
FALSE_VALUES = {"0", "false", "no", "否", "n", ""}


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValidationError(_("Write 1 or 0 (是/否)"))


def _choice(value: str, choices: type[models.TextChoices], column: str) -> str:
    text = value.strip()
    if text in choices.values:
        return text
    # Accept the Chinese label too, since people fill these columns in Excel by hand.
    for member in choices:
        if str(member.label) == text:
            return str(member.value)
    raise ValidationError(_("“%(value)s” is not a valid %(column)s"), params={"value": text, "column": column})


def import_matters(actor: Any, fileobj: IO[bytes], filename: str) -> dict[str, int]:
    return import_matter_table(actor, read_table(fileobj, filename), source=filename)


def import_matter_table(actor: Any, table: Table, source: str = "") -> dict[str, int]:
    """Create or update matters by code, all or nothing."""
    if not can_edit_responsibility_list(actor):
        raise PermissionDenied(_("You may not change the responsibility list"))
    require_columns(table, ["code", "name", "teddy_class", "owner_level", "department_type"])
    errors: list[RowError] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for number, cells in table.rows:
        values, row_errors = _parse_matter(number, cells)
        errors.extend(row_errors)
        code, name = values.get("code", ""), values.get("name", "")
        if code in seen_codes:
            errors.append(RowError(number, "code", _("Duplicate code; first seen in row %d") % seen_codes[code]))
        if name in seen_names:
            errors.append(RowError(number, "name", _("Duplicate name; first seen in row %d") % seen_names[name]))
        seen_codes.setdefault(code, number)
        seen_names.setdefault(name, number)
        parsed.append((number, values))
    existing_names = dict(Matter.objects.filter(name__in=seen_names).values_list("name", "code"))
    for number, values in parsed:
        other = existing_names.get(values.get("name", ""))
        if other and other != values.get("code"):
            errors.append(RowError(number, "name", _("Name already used by matter %s") % other))
    if errors:
        raise ImportRejected(errors)
    created = updated = 0
    with transaction.atomic():
        current = {m.code: m for m in Matter.objects.select_for_update().filter(code__in=seen_codes)}
        for _number, values in parsed:
            matter = current.get(values["code"])
            if matter is None:
                Matter.objects.create(**values)
                created += 1
            else:
                for key, value in values.items():
                    setattr(matter, key, value)
                matter.save()
                updated += 1
        audit.record(
            AuditAction.MATTERS_IMPORTED,
            actor=actor,
            target_type="orgs.matter",
            target_repr=source[:255],
            data={"created": created, "updated": updated, "source": source},
        )
    return {"created": created, "updated": updated}


def _parse_matter(number: int, cells: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    attempt = row_checker(number, errors)

    values["code"] = cells.get("code", "").strip()
    values["name"] = cells.get("name", "").strip()
    if not values["code"]:
        errors.append(RowError(number, "code", _("Code is required")))
    attempt("name", check_name, values["name"])
    attempt("keywords", check_plain_text, cells.get("keywords", ""))
    values["case_type"] = attempt(
        "case_type", _choice, cells.get("case_type") or CaseType.REQUEST, CaseType, "case_type"
    )
    values["major_class"] = cells.get("major_class", "").strip()
    values["minor_class"] = cells.get("minor_class", "").strip() or values["name"]
    values["category"] = attempt("teddy_class", _choice, cells.get("teddy_class", ""), MatterClass, "teddy_class")
    values["keywords"] = [k.strip() for k in cells.get("keywords", "").replace("；", "|").split("|") if k.strip()]
    values["owner_level"] = attempt("owner_level", _choice, cells.get("owner_level", ""), OwnerLevel, "owner_level")
    values["department_type"] = attempt(
        "department_type", _choice, cells.get("department_type", ""), DepartmentType, "department_type"
    )
    defaults = {"contact_normal": "1wd", "contact_urgent": "2h", "handle_normal": "5wd", "handle_urgent": "1wd"}
    for column in DEADLINE_COLUMNS:
        text = cells.get(column, "").strip() or defaults[column]
        values[column] = text if attempt(column, parse_spec, text) else None
    values["is_complex"] = attempt("complex", _flag, cells.get("complex", ""))
    values["is_utility"] = attempt("utility", _flag, cells.get("utility", ""))
    values["source"] = cells.get("source", "").strip()[:64]
    return values, errors


def export_matters(actor: Any, fmt: str = "xlsx") -> bytes:
    from .queries import matters_for

    rows = (
        (
            m.code,
            m.name,
            m.case_type,
            m.major_class,
            m.minor_class,
            m.category,
            "|".join(m.keywords),
            m.owner_level,
            m.department_type,
            m.contact_normal,
            m.contact_urgent,
            m.handle_normal,
            m.handle_urgent,
            int(m.is_complex),
            int(m.is_utility),
            m.source,
        )
        for m in matters_for(actor, "export").order_by("code")
    )
    data = write_xlsx(MATTER_COLUMNS, rows, "matters") if fmt == "xlsx" else write_csv(MATTER_COLUMNS, rows)
    audit.record(AuditAction.MATTERS_EXPORTED, actor=actor, target_type="orgs.matter", data={"format": fmt})
    return data


@transaction.atomic
def create_unit(
    actor: Any,
    *,
    code: str,
    name: str,
    kind: str,
    jurisdiction: Sequence[Place],
    department_type: str = "",
    parent: Unit | None = None,
    contact_phone: str = "",
) -> Unit:
    if not can_edit_units(actor):
        raise PermissionDenied(_("You may not add units"))
    from linli.accounts.scopes import can

    for place in jurisdiction:
        if not can(actor, "view", place):
            raise PermissionDenied(_("Place %s is outside your scope") % place.code)
    name = check_name(name)
    if Unit.objects.filter(code=code).exists():
        raise ValidationError(_("Code %(code)s already exists"), params={"code": code})
    if kind == UnitKind.DISTRICT_DEPARTMENT and not department_type:
        raise ValidationError(_("A district department needs a department type"))
    unit = Unit.objects.create(
        code=code,
        name=name,
        kind=kind,
        department_type=department_type,
        parent=parent,
        contact_phone=normalize_phone(contact_phone) if contact_phone else "",
    )
    unit.jurisdiction.set(jurisdiction)
    if too_deep := _depth_error():
        raise ValidationError(too_deep)
    audit.record(AuditAction.UNIT_CREATED, actor=actor, target=unit, data={"kind": kind})
    return unit


def _depth_error() -> str | None:
    """Units nested deeper than scopes.MAX_UNIT_DEPTH are refused: a grant on a unit opens its children through
    a parent chain of that length, so a deeper unit would silently fall out of its department's scope."""
    from linli.accounts.scopes import MAX_UNIT_DEPTH

    if Unit.objects.filter(**{"__".join(["parent"] * MAX_UNIT_DEPTH) + "__isnull": False}).exists():
        return _("Units nest at most %(n)d levels deep") % {"n": MAX_UNIT_DEPTH}
    return None


def import_units(actor: Any, fileobj: IO[bytes], filename: str) -> int:
    return import_unit_table(actor, read_table(fileobj, filename), source=filename)


def import_unit_table(actor: Any, table: Table, source: str = "") -> int:
    if not can_edit_units(actor):
        raise PermissionDenied(_("You may not add units"))
    require_columns(table, ["code", "name", "kind", "jurisdiction_codes"])
    errors: list[RowError] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    all_place_codes = {
        c.strip() for _, cells in table.rows for c in cells.get("jurisdiction_codes", "").split("|") if c.strip()
    }
    places = {p.code: p for p in Place.objects.restrict(actor).filter(code__in=all_place_codes)}
    existing = set(
        Unit.objects.filter(code__in=[c.get("code", "") for _, c in table.rows]).values_list("code", flat=True)
    )
    for number, cells in table.rows:
        code = cells.get("code", "").strip()
        values: dict[str, Any] = {"code": code, "name": cells.get("name", "").strip()}
        if not code:
            errors.append(RowError(number, "code", _("Code is required")))
        elif code in seen:
            errors.append(RowError(number, "code", _("Duplicate code; first seen in row %d") % seen[code]))
        elif code in existing:
            errors.append(RowError(number, "code", _("Code %s already exists") % code))
        seen.setdefault(code, number)
        row_checker(number, errors)("name", check_name, values["name"])
        try:
            values["kind"] = _choice(cells.get("kind", ""), UnitKind, "kind")
        except ValidationError as exc:
            errors.extend(RowError(number, "kind", m) for m in exc.messages)
        department = cells.get("department_type", "").strip()
        try:
            values["department_type"] = _choice(department, DepartmentType, "department_type") if department else ""
        except ValidationError as exc:
            errors.extend(RowError(number, "department_type", m) for m in exc.messages)
        if values.get("kind") == UnitKind.DISTRICT_DEPARTMENT and not department:
            errors.append(RowError(number, "department_type", _("A district department needs a department type")))
        codes = [c.strip() for c in cells.get("jurisdiction_codes", "").split("|") if c.strip()]
        missing = [c for c in codes if c not in places]
        if not codes:
            errors.append(RowError(number, "jurisdiction_codes", _("At least one place code is required")))
        if missing:
            errors.append(
                RowError(number, "jurisdiction_codes", _("Unknown or out-of-scope places: %s") % ", ".join(missing))
            )
        values["jurisdiction"] = [places[c] for c in codes if c in places]
        phone = cells.get("contact_phone", "").strip()
        try:
            values["contact_phone"] = normalize_phone(phone) if phone else ""
        except ValidationError as exc:
            errors.extend(RowError(number, "contact_phone", m) for m in exc.messages)
        values["parent_code"] = cells.get("parent_code", "").strip()
        rows.append((number, values))
    parent_codes = {v["parent_code"] for _, v in rows if v["parent_code"]}
    known_parents = set(Unit.objects.filter(code__in=parent_codes).values_list("code", flat=True)) | set(seen)
    for number, values in rows:
        if values["parent_code"] and values["parent_code"] not in known_parents:
            errors.append(RowError(number, "parent_code", _("Unknown parent unit %s") % values["parent_code"]))
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        by_code: dict[str, Unit] = {}
        for _number, values in rows:
            unit = Unit.objects.create(
                code=values["code"],
                name=values["name"],
                kind=values["kind"],
                department_type=values["department_type"],
                contact_phone=values["contact_phone"],
            )
            unit.jurisdiction.set(values["jurisdiction"])
            by_code[unit.code] = unit
        for _number, values in rows:
            if values["parent_code"]:
                parent = by_code.get(values["parent_code"]) or Unit.objects.get(code=values["parent_code"])
                Unit.objects.filter(code=values["code"]).update(parent=parent)
        if too_deep := _depth_error():
            raise ImportRejected([RowError(0, "parent_code", too_deep)])
        audit.record(
            AuditAction.UNITS_IMPORTED,
            actor=actor,
            target_type="orgs.unit",
            target_repr=source[:255],
            data={"created": len(by_code), "source": source},
        )
    return len(by_code)


@transaction.atomic
def record_admission(
    actor: Any,
    matter: Matter,
    *,
    approved_by: str,
    approved_on: datetime.date,
    people: str,
    powers: str,
    funds: str,
    document: str = "",
) -> MatterAdmission:
    """准入: admit a matter to communities only with people, powers and funds named (人随事转、权随事转、费随事转)."""
    if not can_edit_responsibility_list(actor):
        raise PermissionDenied(_("You may not admit matters"))
    matter = Matter.objects.select_for_update().get(pk=matter.pk)
    if matter.owner_level != OwnerLevel.COMMUNITY:
        raise ValidationError(_("Only community-level matters need admission"))
    missing = [
        label for label, text in ((_("people"), people), (_("powers"), powers), (_("funds"), funds)) if not text.strip()
    ]
    if missing:
        raise ValidationError(
            _("Admission needs the %(missing)s that go with the matter"), params={"missing": "、".join(missing)}
        )
    if not approved_by.strip():
        raise ValidationError(_("Name who approved the admission"))
    admission = MatterAdmission.objects.create(
        matter=matter,
        approved_by=approved_by.strip(),
        approved_on=approved_on,
        document=document.strip(),
        people=people.strip(),
        powers=powers.strip(),
        funds=funds.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        AuditAction.MATTER_ADMITTED,
        actor=actor,
        target=matter,
        data={"approved_by": admission.approved_by, "approved_on": str(approved_on), "document": admission.document},
    )
    return admission
