from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from linli.core.admin import ReadOnlyAdmin
from linli.core.masking import mask_phone

from . import actions
from .choices import Role
from .models import Grant, PhoneCode, User


class GrantInline(admin.TabularInline[Grant, User]):
    """Grants are shown, never edited here: they change through the grant actions (checked and audited)."""

    model = Grant
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("role", "place", "unit", "valid_from", "valid_to", "granted_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserAddForm(AdminUserCreationForm):
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.RESIDENT)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "masked_phone", "is_active")
    list_filter = ("is_active", "is_superuser")
    search_fields = ("username", "display_name")
    inlines = (GrantInline,)
    add_form = UserAddForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Linli"), {"fields": ("display_name", "is_active")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "role", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    def get_queryset(self, request: HttpRequest) -> Any:
        return User.objects.restrict(request.user)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Every account change goes through the actions, so it is permission-checked and audited.
        if not change:
            created = actions.create_user(
                request.user,
                username=obj.username,
                role=form.cleaned_data["role"],
                password=form.cleaned_data.get("password1") or None,
            )
            obj.pk = created.pk
            return
        profile = {k: form.cleaned_data[k] for k in form.changed_data if k in actions.PROFILE_FIELDS}
        if profile:
            actions.update_profile(request.user, obj, **profile)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing related is saved here: grants are read-only above and change through the grant actions."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "place", "unit", "valid_from", "valid_to", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__username",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return Grant.objects.restrict(request.user).select_related("user", "place", "unit", "granted_by")


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ("purpose", "created_at", "expires_at", "attempts", "used_at")
