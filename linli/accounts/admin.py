from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from linli.core.masking import mask_phone

from .models import LoginFailure, PhoneCode, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "masked_phone", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    filter_horizontal = ("places", "units", "groups", "user_permissions")
    raw_id_fields = ("places", "units")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Linli"), {"fields": ("role", "display_name", "places", "units")}),
    )

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone)

    def get_queryset(self, request: HttpRequest) -> Any:
        return User.objects.restrict(request.user)


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin[LoginFailure]):
    list_display = ("username", "ip_address", "occurred_at")
    search_fields = ("username",)


@admin.register(PhoneCode)
class PhoneCodeAdmin(admin.ModelAdmin[PhoneCode]):
    list_display = ("purpose", "created_at", "expires_at", "attempts", "used_at")
    readonly_fields = ("phone_digest", "code_hash")
