from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from linli.core.admin import ReadOnlyAdmin
from linli.core.masking import mask_phone

from . import actions
from .models import PhoneCode, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "masked_phone", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    raw_id_fields = ("places", "units")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Linli"), {"fields": ("display_name", "role", "places", "units", "is_active")}),
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
                request.user, username=obj.username, role=obj.role, password=form.cleaned_data.get("password1") or None
            )
            obj.pk = created.pk
            return
        profile = {k: form.cleaned_data[k] for k in form.changed_data if k in actions.PROFILE_FIELDS}
        if profile:
            actions.update_profile(request.user, obj, **profile)
        if "role" in form.changed_data:
            actions.change_role(request.user, obj, form.cleaned_data["role"])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if {"places", "units"} & set(form.changed_data):
            actions.change_scope(
                request.user,
                form.instance,
                places=list(form.cleaned_data.get("places", [])),
                units=list(form.cleaned_data.get("units", [])),
            )


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ("purpose", "created_at", "expires_at", "attempts", "used_at")
