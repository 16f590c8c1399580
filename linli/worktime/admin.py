"""The holiday table in the Django admin; every save and delete goes through linli.worktime.actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from linli.accounts.predicates import can_edit_calendar

from . import actions
from .models import CalendarDay, CalendarYear


class _CalendarAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_edit_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_calendar(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_calendar(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_edit_calendar(request.user)


class CalendarDayForm(forms.ModelForm[CalendarDay]):
    """Checks the same rules as the actions, so that a bad day is an error on the form, not a crash."""

    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date") or (self.instance.date if self.instance.pk else None)
        if day is not None and data.get("kind"):
            try:
                data["name"] = actions.check_day(day, data["kind"], data.get("name", ""))
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(_CalendarAdmin):
    form = CalendarDayForm
    list_display = ("date", "kind", "name", "updated_at", "updated_by")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    fields = ("date", "kind", "name")
    actions = None  # bulk delete would skip the action and its audit event

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("date",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = actions.set_day(request.user, obj.date, obj.kind, obj.name)
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_calendar(request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        actions.clear_day(request.user, obj.date)


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    """Adding a year declares its schedule complete (entered day by day); imports add years themselves."""

    list_display = ("year", "source", "loaded_at", "loaded_by")
    fields = ("year",)
    actions = None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = actions.confirm_year(request.user, obj.year)
        obj.pk = saved.pk
