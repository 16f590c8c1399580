from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Matter, MatterAdmission, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("name", "code", "kind", "department_type", "is_active")
    list_filter = ("kind", "department_type", "is_active")
    search_fields = ("name", "code")
    raw_id_fields = ("parent", "jurisdiction")

    def get_queryset(self, request: HttpRequest) -> Any:
        return Unit.objects.restrict(request.user)


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin[Matter]):
    list_display = ("code", "name", "category", "owner_level", "department_type", "handle_normal", "is_disputed")
    list_filter = ("category", "owner_level", "department_type", "case_type", "is_disputed", "is_active")
    search_fields = ("code", "name", "major_class", "minor_class")


@admin.register(MatterAdmission)
class MatterAdmissionAdmin(admin.ModelAdmin[MatterAdmission]):
    list_display = ("matter", "approved_by", "approved_on", "document")
    raw_id_fields = ("matter",)
    readonly_fields = ("recorded_by", "recorded_at")
