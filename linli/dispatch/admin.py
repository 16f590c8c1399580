from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.core.admin import ReadOnlyAdmin

from .models import DispatchDecision, DispatchModel, TrainingExample


@admin.register(DispatchModel)
class DispatchModelAdmin(admin.ModelAdmin[DispatchModel]):
    """Read-only: models change state only through retrain, promotion and rollback (actions)."""

    list_display = ("version", "status", "threshold", "train_size", "created_at", "promoted_at", "refusal")
    list_filter = ("status",)
    readonly_fields = [f.name for f in DispatchModel._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DispatchDecision)
class DispatchDecisionAdmin(admin.ModelAdmin[DispatchDecision]):
    list_display = ("id", "created_at", "mode", "category", "confidence", "unit", "corrected_at")
    list_filter = ("mode", "category", "channel")
    search_fields = ("title", "case_ref")
    readonly_fields = [f.name for f in DispatchDecision._meta.fields]

    def get_queryset(self, request: HttpRequest) -> Any:
        return DispatchDecision.objects.restrict(request.user).select_related("unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TrainingExample)
class TrainingExampleAdmin(ReadOnlyAdmin):
    list_display = ("id", "label", "source", "created_at")
    list_filter = ("label", "source")
    search_fields = ("title",)
