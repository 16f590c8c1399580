"""The working calendar page for district command: a year's exceptions, its template and its import."""

from __future__ import annotations

import datetime
from typing import IO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_calendar
from linli.core.http import table_download, upload_page

from . import actions, clock
from .queries import days_for, years_for


def _editor_only(request: HttpRequest) -> None:
    if not can_edit_calendar(request.user):
        raise PermissionDenied


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return datetime.datetime.now(clock.zone()).year
    return min(max(year, 1950), 2199)


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    _editor_only(request)
    year = _year(request)
    loaded = years_for(request.user).filter(year=year).first()
    return render(
        request,
        "worktime/calendar.html",
        {
            "year": year,
            "loaded": loaded,
            "days": days_for(request.user, year),
            "years": years_for(request.user)[:10],
            "missing": clock.years_to_warn(),
        },
    )


@login_required
def template(request: HttpRequest) -> HttpResponse:
    _editor_only(request)
    year = _year(request)
    return table_download(actions.year_template(days_for(request.user, year), year), "xlsx", f"calendar-{year}")


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    _editor_only(request)

    def run(upload: IO[bytes], name: str) -> str:
        result = actions.import_year(request.user, upload, name)
        return _("Loaded the %(year)s schedule: %(holidays)d days off, %(workdays)d make-up working days") % {
            "year": result.year,
            "holidays": result.holidays,
            "workdays": result.workdays,
        }

    return upload_page(request, run=run, template="worktime/import.html", success_url=reverse("worktime:calendar"))
