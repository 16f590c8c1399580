"""Responses and page flows shared by the apps' thin views: table downloads and all-or-nothing uploads."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from .tabular import ImportRejected

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def requested_format(request: HttpRequest) -> str:
    return "csv" if request.GET.get("format") == "csv" else "xlsx"


def table_download(data: bytes, fmt: str, basename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{basename}.{fmt}"'
    return response


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))


def upload_page(
    request: HttpRequest,
    *,
    run: Callable[[IO[bytes], str], str],
    template: str,
    success_url: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show the upload form; on a good file `run` imports it and returns the success message, on a bad
    one the page lists every bad row (ImportRejected) and nothing was written."""
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            message = run(upload, upload.name)
        except ImportRejected as exc:
            errors = exc
        else:
            messages.success(request, message)
            return redirect(success_url)
    return render(request, template, {"form": form, "errors": errors, **(context or {})})
