from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """For records that only actions write: visible to administrators, never edited by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The timeline is append-only, even for administrators."""

    list_display = ("occurred_at", "actor", "action", "target_repr")
    list_filter = ("action",)
    search_fields = ("target_repr", "target_id")

    def get_queryset(self, request: HttpRequest) -> Any:
        return AuditEvent.objects.restrict(request.user).select_related("actor")
