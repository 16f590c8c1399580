"""/people/transfer/: Excel in and out of the registry. Thin: the imports and exports modules decide."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.accounts.predicates import can_export_registry, can_export_unmasked, can_import_registry
from linli.core.http import table_download

from . import exports, imports
from .choices import ImportKind
from .forms_transfer import ExportForm, MappingForm, UploadForm
from .imports_format import template
from .models import RegistryImport

RECENT_JOBS = 10


def _need(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _job(request: HttpRequest, pk: int) -> RegistryImport:
    """The user's own import (the scope rule: an import is its uploader's alone); anyone else's is a 404."""
    return get_object_or_404(RegistryImport.objects.restrict(request.user, "view").defer("payload"), pk=pk)


def _draft(request: HttpRequest, pk: int) -> RegistryImport:
    job = get_object_or_404(RegistryImport.objects.restrict(request.user, "view"), pk=pk)
    if job.created_by_id != request.user.pk or not imports.is_draft(job):
        raise Http404
    return job


def _index(request: HttpRequest, upload_form: UploadForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    jobs = (
        RegistryImport.objects.restrict(user, "view").filter(created_by_id=user.pk).defer("payload")[:RECENT_JOBS]
        if can_import_registry(user)
        else []
    )
    context = {
        "can_import": can_import_registry(user),
        "can_export": can_export_registry(user),
        "can_unmask": can_export_unmasked(user),
        "upload_form": upload_form or UploadForm(),
        "export_form": ExportForm(user=user) if can_export_registry(user) else None,
        "jobs": jobs,
        "kinds": ImportKind,
    }
    return render(request, "people/transfer/index.html", context, status=status)


@login_required
@require_GET
def transfer(request: HttpRequest) -> HttpResponse:
    _need(can_import_registry(request.user) or can_export_registry(request.user))
    return _index(request)


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    _need(can_import_registry(request.user))
    if kind not in ImportKind.values:
        raise Http404
    return table_download(template(kind), "xlsx", f"registry-{kind}-template")


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    _need(can_import_registry(request.user))
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = imports.upload(request.user, form.cleaned_data["kind"], file, file.name)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            target = "people:transfer_mapping" if imports.needs_mapping(job) else "people:transfer_preview"
            return redirect(target, job.pk)
    return _index(request, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _draft(request, pk)
    headers = imports.headers_of(job)
    form = MappingForm(request.POST or None, kind=job.kind, headers=headers, initial_fields=imports.fields_of(job))
    if request.method == "POST" and form.is_valid():
        try:
            imports.set_mapping(request.user, job, form.cleaned_data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("people:transfer_preview", job.pk)
    return render(request, "people/transfer/mapping.html", {"job": job, "form": form, "headers": headers})


@login_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = _draft(request, pk)
    if imports.needs_mapping(job):
        return redirect("people:transfer_mapping", job.pk)
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            imports.discard(request.user, job)
            return redirect("people:transfer")
        imports.confirm(request.user, job)
        return redirect("people:transfer_job", job.pk)
    return render(request, "people/transfer/preview.html", {"job": job, "preview": imports.preview(job)})


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    if imports.is_draft(found) and found.created_by_id == request.user.pk:
        return redirect("people:transfer_preview", found.pk)
    return render(request, "people/transfer/job.html", {"job": found, "final": found.status in imports.FINAL})


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    found = _job(request, pk)
    return render(request, "people/transfer/_job_status.html", {"job": found, "final": found.status in imports.FINAL})


def _export_form(request: HttpRequest) -> ExportForm | None:
    _need(can_export_registry(request.user))
    form = ExportForm(request.GET, user=request.user)
    return form if form.is_valid() else None


@login_required
@require_GET
def export_persons(request: HttpRequest) -> HttpResponse:
    form = _export_form(request)
    if form is None:
        return HttpResponseBadRequest()
    data = form.cleaned_data
    place = exports.export_place(request.user, data["place"]) if data["place"] else None
    if data["place"] and place is None:
        raise Http404
    filters = exports.PersonFilters(place=place, tag=data["tag"], residency=data["residency"])
    fmt = data["format"] or "xlsx"
    content = exports.export_persons(request.user, filters, unmasked=data["unmasked"], fmt=fmt)
    return table_download(content, fmt, "persons" + ("-unmasked" if data["unmasked"] else ""))


@login_required
@require_GET
def export_houses(request: HttpRequest) -> HttpResponse:
    form = _export_form(request)
    if form is None:
        return HttpResponseBadRequest()
    data = form.cleaned_data
    place = exports.export_place(request.user, data["place"]) if data["place"] else None
    if data["place"] and place is None:
        raise Http404
    fmt = data["format"] or "xlsx"
    content = exports.export_houses(request.user, place, unmasked=data["unmasked"], fmt=fmt)
    return table_download(content, fmt, "houses" + ("-unmasked" if data["unmasked"] else ""))
