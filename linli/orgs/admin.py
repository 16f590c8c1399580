from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin import ReadOnlyAdmin

from .models import Matter, MatterAdmission, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    """Units change through the Excel import and the pages, which call the actions."""

    list_display = ("name", "code", "kind", "department_type", "is_active")
    list_filter = ("kind", "department_type", "is_active")
    search_fields = ("name", "code")

    def get_queryset(self, request: HttpRequest) -> Any:
        return Unit.objects.restrict(request.user)


@admin.register(Matter)
class MatterAdmin(ReadOnlyAdmin):
    """The responsibility list changes through its Excel import (orgs.actions.import_matters)."""

    list_display = ("code", "name", "category", "owner_level", "department_type", "handle_normal", "is_disputed")
    list_filter = ("category", "owner_level", "department_type", "case_type", "is_disputed", "is_active")
    search_fields = ("code", "name", "major_class", "minor_class")


@admin.register(MatterAdmission)
class MatterAdmissionAdmin(ReadOnlyAdmin):
    list_display = ("matter", "approved_by", "approved_on", "document")
