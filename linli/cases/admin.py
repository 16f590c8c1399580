"""Cases in the admin: read-only (only the workflow's actions write them); deadline rules editable through
their action, by those who keep the responsibility list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from linli.accounts.predicates import can_edit_responsibility_list
from linli.core.admin import ReadOnlyAdmin

from .actions.deadline_rules import delete_deadline_rule, save_deadline_rule
from .models import Case, CaseEvent, DeadlineRule


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "state", "channel", "lead_unit", "handle_due", "handle_overdue")
    list_filter = ("state", "channel", "handle_overdue")
    search_fields = ("title",)
    # Personal data stays out of the admin: it is shown masked on the case page, with every reveal logged.
    exclude = ("reporter_name", "reporter_phone", "reporter_phone_digest", "idempotency_key")

    def get_queryset(self, request: HttpRequest) -> Any:
        return Case.objects.restrict(request.user).select_related("lead_unit")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("case", "seq", "kind", "at", "actor_label", "old_state", "new_state")
    list_filter = ("kind",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return CaseEvent.objects.restrict(request.user)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin[Any]):
    list_display = ("__str__", "contact", "handle", "rehandle")
    autocomplete_fields = ()
    raw_id_fields = ("matter",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_edit_responsibility_list(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_responsibility_list(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_edit_responsibility_list(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_responsibility_list(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_responsibility_list(request.user)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            save_deadline_rule(request.user, obj)
        except (PermissionDenied, ValidationError) as error:
            self.message_user(request, "; ".join(getattr(error, "messages", [str(error)])), messages.ERROR)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_deadline_rule(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for rule in queryset:
            delete_deadline_rule(request.user, rule)
