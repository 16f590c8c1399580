"""The registry's two rule tables in the Django admin. Rows are seeded for every residency type and tag,
so they are changed, never added or deleted; every save goes through the action, which checks the
predicate and writes the audit event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from linli.accounts.predicates import can_edit_care_rules, can_edit_retention_rules

from . import retention
from .actions import care
from .models import CareRule, RetentionRule


class RetentionRuleForm(forms.ModelForm[RetentionRule]):
    class Meta:
        model = RetentionRule
        fields = ("keep_years",)

    def clean_keep_years(self) -> int:
        try:
            return retention.check_keep_years(self.cleaned_data.get("keep_years"))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin[RetentionRule]):
    form = RetentionRuleForm
    list_display = ("residency", "keep_years")
    fields = ("residency", "keep_years")
    readonly_fields = ("residency",)
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_edit_retention_rules(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_retention_rules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_retention_rules(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        retention.set_retention_rule(request.user, obj.residency, obj.keep_years)


class CareRuleForm(forms.ModelForm[CareRule]):
    class Meta:
        model = CareRule
        fields = ("visit_every_days",)

    def clean_visit_every_days(self) -> int | None:
        days = self.cleaned_data.get("visit_every_days")
        if days is not None and not 1 <= days <= care.MAX_VISIT_DAYS:
            raise ValidationError(_("Between 1 and 366 days, or none"))
        return days


@admin.register(CareRule)
class CareRuleAdmin(admin.ModelAdmin[CareRule]):
    form = CareRuleForm
    list_display = ("tag", "visit_every_days")
    fields = ("tag", "visit_every_days")
    readonly_fields = ("tag",)
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_edit_care_rules(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_care_rules(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_edit_care_rules(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CareRule, form: Any, change: bool) -> None:
        care.set_care_rule(request.user, obj.tag, obj.visit_every_days)
