"""The monthly assessment report of a street office or district department: a page, an Excel workbook and a
PDF with the same content (linli.assessment.reports, report_files). Read by the unit's own people and by
district command for the units of its district (`can_read_unit_report`); every download is an audit event."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from linli.accounts.choices import Role
from linli.accounts.membership import member_units
from linli.accounts.predicates import can_read_unit_report
from linli.accounts.scopes import any_of, scope_of, units_wholly_under
from linli.orgs.models import Unit

from .actions_reverse import record_report_export
from .report_files import report_pdf, report_xlsx, sections
from .reports import REPORT_KINDS, add_months, month_report, parse_month, previous_month

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _unit_and_month(request: HttpRequest, unit: int, month: str) -> tuple[Unit, datetime.date]:
    """404 for a unit that is no street office or department, a bad month, or a unit the user may not read the
    report of (so that an outsider learns nothing about which ids exist)."""
    found = Unit.objects.filter(pk=unit, kind__in=REPORT_KINDS).first()
    first = parse_month(month)
    if found is None or first is None or not can_read_unit_report(request.user, found):
        raise Http404
    return found, first


def _report_units(user: Any) -> list[Unit]:
    """The streets and departments whose reports the user may read (the same answer as `can_read_unit_report`,
    for a list): those it works for, and for district command those wholly inside its district."""
    scope = scope_of(user)
    units = Unit.objects.filter(kind__in=REPORT_KINDS)
    if scope.everything:
        return list(units.order_by("kind", "code"))
    reach = any_of(member_units(scope), units_wholly_under(scope.paths({Role.DISTRICT_COMMAND})))
    if reach is None:
        return []
    return list(units.filter(pk__in=Unit.objects.filter(reach).values("pk")).order_by("kind", "code"))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    units = _report_units(request.user)
    if not units:
        raise PermissionDenied
    month = parse_month(request.GET.get("month", "")) or previous_month()
    this_month = timezone.localdate().replace(day=1)
    months = [add_months(this_month, -n) for n in range(12)]
    context = {"units": units, "month": month, "months": months}
    return render(request, "assessment/reports/index.html", context)


@login_required
@require_GET
def page(request: HttpRequest, unit: int, month: str) -> HttpResponse:
    found, first = _unit_and_month(request, unit, month)
    report = month_report(request.user, found, first)
    context = {
        "report": report,
        "sections": sections(report),
        "month_text": f"{first:%Y-%m}",
        "previous": f"{add_months(first, -1):%Y-%m}",
        "next": f"{add_months(first, 1):%Y-%m}" if add_months(first, 1) <= timezone.localdate() else "",
    }
    return render(request, "assessment/reports/report.html", context)


def _download(request: HttpRequest, unit: int, month: str, fmt: str) -> HttpResponse:
    found, first = _unit_and_month(request, unit, month)
    report = month_report(request.user, found, first)
    data = report_xlsx(report) if fmt == "xlsx" else report_pdf(report)
    record_report_export(request.user, found, first, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    # The unit's id, never its (Chinese, user-typed) name, goes into the header.
    response["Content-Disposition"] = f'attachment; filename="assessment-{found.pk}-{first:%Y-%m}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def download_xlsx(request: HttpRequest, unit: int, month: str) -> HttpResponse:
    return _download(request, unit, month, "xlsx")


@login_required
@require_GET
def download_pdf(request: HttpRequest, unit: int, month: str) -> HttpResponse:
    return _download(request, unit, month, "pdf")
