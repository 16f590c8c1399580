"""A copy of everything the registry holds on one person, for that person (个人信息保护法 art. 45): one
workbook, a sheet per kind of record, every value in the clear. The caller logs it (record_subject_copy);
this module only reads, through the same scoped reads as the card, and writes cells through
linli.core.tabular.neutralise_cell so that no stored text runs as a formula."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from linli.cases.models import Case
from linli.core.tabular import neutralise_cell

from .models import CareTag, CareVisit, Consent, HouseholdMember, Ownership, PartyMembership, Person, Tenancy
from .queries_pages import address

Sheet = tuple[str, list[str], list[list[Any]]]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (int, float, Decimal, datetime.date)):
        return value
    return neutralise_cell(str(value))


# A person's name and phone, not a place's name or an account's mobile (the model's words are shared).
OWN_LABELS = {"name": gettext_lazy("Full name"), "phone": gettext_lazy("Phone number")}


def _label(model: type[models.Model], field: str) -> str:
    if model is Person and field in OWN_LABELS:
        return str(OWN_LABELS[field])
    return str(getattr(model._meta.get_field(field), "verbose_name", field))


def _labels(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [_label(model, f) for f in fields]


def _rows(objects: Iterable[models.Model], fields: Sequence[str]) -> list[list[Any]]:
    rows = []
    for obj in objects:
        row = []
        for field in fields:
            display = getattr(obj, f"get_{field}_display", None)
            row.append(display() if display else getattr(obj, field))
        rows.append(row)
    return rows


Lead = tuple[str, Callable[[Any], Any]]  # a computed first column: its heading and how to read it


def _sheet(
    model: type[models.Model], objects: Iterable[models.Model], fields: Sequence[str], lead: Sequence[Lead] = ()
) -> Sheet:
    listed = list(objects)
    columns = [label for label, _read in lead] + _labels(model, fields)
    rows = [[read(obj) for _label, read in lead] + row for obj, row in zip(listed, _rows(listed, fields), strict=True)]
    return str(model._meta.verbose_name_plural), columns, rows


PERSON_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "phone",
    "ethnicity",
    "residency",
    "arrived_on",
    "left_on",
    "marked_sensitive",
    "note",
    "visit_every_days",
    "next_visit_due",
    "last_visited_at",
    "created_at",
    "updated_at",
)


def sheets(user: Any, person: Person) -> list[Sheet]:
    own = _rows([person], PERSON_FIELDS)[0]
    about = [[label, value] for label, value in zip(_labels(Person, PERSON_FIELDS), own, strict=True)]
    home = f"{address(person.place)}（{person.place.code}）"
    about.insert(8, [_label(Person, "place"), home])
    mine = {"person": person}
    house: Lead = (_label(Ownership, "house"), lambda row: address(row.house))
    household: Lead = (_label(HouseholdMember, "household"), lambda m: str(m.household))
    member_house: Lead = (house[0], lambda m: address(m.household.house))
    cases = Case.objects.restrict(user).filter(reporter_person=person).order_by("created_at")
    return [
        (str(Person._meta.verbose_name), [_("Field"), _("Value")], about),
        _sheet(
            HouseholdMember,
            HouseholdMember.objects.restrict(user).filter(**mine).select_related("household__house__parent__parent"),
            ("relation", "joined_on", "left_on"),
            (household, member_house),
        ),
        _sheet(
            CareTag,
            CareTag.objects.restrict(user).filter(**mine),
            ("tag", "source", "source_note", "valid_from", "valid_to"),
        ),
        _sheet(
            CareVisit, CareVisit.objects.restrict(user).filter(**mine), ("visited_at", "outcome", "note", "was_due")
        ),
        _sheet(
            Ownership,
            Ownership.objects.restrict(user).filter(**mine).select_related("house__parent__parent"),
            ("share", "area", "certificate", "since", "until"),
            (house,),
        ),
        _sheet(
            Tenancy,
            Tenancy.objects.restrict(user).filter(**mine).select_related("house__parent__parent"),
            ("since", "until"),
            (house,),
        ),
        _sheet(
            Consent, Consent.objects.restrict(user).filter(**mine), ("purpose", "channel", "given_on", "withdrawn_on")
        ),
        _sheet(
            PartyMembership,
            PartyMembership.objects.restrict(user).filter(**mine).select_related("reported_to"),
            ("organisation", "joined_party_on", "reported_to", "reported_on", "ended_on"),
        ),
        (
            _("Requests reported"),
            [_("Number"), _("Title"), _("Submitted at"), _("State")],
            [[c.number, c.title, c.created_at, c.get_state_display()] for c in cases],
        ),
    ]


def workbook(user: Any, person: Person) -> bytes:
    book = Workbook(write_only=True)
    for title, columns, rows in sheets(user, person):
        sheet = book.create_sheet(title=_sheet_title(title))
        sheet.append([_cell(c) for c in columns])
        for row in rows:
            sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    # Excel refuses these in a sheet's name and caps it at 31 characters.
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31] or "-"
