"""Excel export of any case list (a queue or a search): scoped by `restrict(user, "export")`, phones masked,
every cell neutralised against formulas (linli.core.tabular), and logged as AuditAction.CASES_EXPORTED."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_export_cases
from linli.core import audit
from linli.core.choices import AuditAction
from linli.core.masking import mask_phone
from linli.core.tabular import write_xlsx
from linli.dispatch.choices import Channel

from .choices import CaseState, Rating, Urgency
from .models import Case
from .presenting import mask_name
from .queries import queue_cases, search_cases

# A workbook a person opens: past this, narrow the filters (the export says so in its last row).
EXPORT_LIMIT = 50_000


def columns() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Description"),
        _("State"),
        _("Urgency"),
        _("Channel"),
        _("Matter"),
        _("Place"),
        _("Place code"),
        _("Lead unit"),
        _("Accountable unit"),
        _("Submitted at"),
        _("Dispatched at"),
        _("Contact due"),
        _("Handling due"),
        _("Resolved at"),
        _("Closed at"),
        _("Contact overdue"),
        _("Handling overdue"),
        _("Returns"),
        _("Reopens"),
        _("Rating"),
        _("Resolved, says the resident"),
        _("Reporter"),
        _("Reporter's phone"),
    ]


def _at(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _yes(flag: bool | None) -> str:
    return "" if flag is None else (_("Yes") if flag else _("No"))


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _rows(qs: models.QuerySet[Case], counter: list[int]) -> Iterator[list[Any]]:
    for c in qs.iterator(chunk_size=2000):
        counter[0] += 1
        yield [
            c.number,
            c.title,
            c.body,
            _label(CaseState, c.state),
            _label(Urgency, c.urgency),
            _label(Channel, c.channel),
            c.matter.name if c.matter else "",
            c.place.name,
            c.place.code,
            c.lead_unit.name if c.lead_unit else "",
            c.accountable_unit.name if c.accountable_unit else "",
            _at(c.created_at),
            _at(c.dispatched_at),
            _at(c.contact_due),
            _at(c.handle_due),
            _at(c.resolved_at),
            _at(c.closed_at),
            _yes(c.contact_overdue),
            _yes(c.handle_overdue),
            c.return_count,
            c.reopen_count,
            _label(Rating, c.rating) if c.rating else "",
            _yes(c.resolved_by_rating),
            # Exports never carry personal data in the clear, whatever the exporter's role (DESIGN §7).
            mask_name(c.reporter_name),
            mask_phone(c.reporter_phone),
        ]
    if counter[0] >= EXPORT_LIMIT:
        yield [_("Only the first %(n)d cases were exported: narrow the filters") % {"n": EXPORT_LIMIT}]


def _describe(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as the audit event keeps them: ids and ISO dates, no objects."""
    out: dict[str, Any] = {}
    for key, value in filters.items():
        if value in (None, "", False):
            continue
        out[key] = (
            value.pk
            if isinstance(value, models.Model)
            else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
    return out


def export_cases(actor: Any, *, filters: dict[str, Any] | None = None, tab: str = "") -> bytes:
    """The cases of a search (`filters`, the search form's cleaned data) or of a queue (`tab`), as .xlsx."""
    if not can_export_cases(actor):
        raise PermissionDenied(_("Your role may not export cases"))
    filters = filters or {}
    qs = search_cases(actor, filters, action="export")
    if tab:
        qs = qs.filter(pk__in=queue_cases(actor, tab).values("pk"))
    qs = qs.select_related("place", "matter", "lead_unit", "accountable_unit").order_by("-pk")[:EXPORT_LIMIT]
    counter = [0]
    data = write_xlsx(columns(), _rows(qs, counter), "cases")
    audit.record(
        AuditAction.CASES_EXPORTED,
        actor=actor,
        target_type="cases.case",
        target_repr=tab or "search",
        data={"tab": tab, "filters": _describe(filters), "rows": counter[0]},
    )
    return data
