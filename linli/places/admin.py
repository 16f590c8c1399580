from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from linli.core.validation import check_name

from . import actions
from .models import Place


class PlaceAdminForm(forms.ModelForm[Place]):
    # The actions refuse a name with markup too; checking here shows the error on the form, not as a 500.
    def clean_name(self) -> str:
        return check_name(self.cleaned_data.get("name", ""))


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin[Place]):
    form = PlaceAdminForm
    list_display = ("name", "code", "level", "parent", "households")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth", "created_at", "updated_at")
    fields = (
        "code",
        "name",
        "level",
        "parent",
        "geometry",
        "households",
        "contact_phone",
        "is_active",
        "path",
        "depth",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return Place.objects.restrict(request.user).select_related("parent")

    def save_model(self, request: HttpRequest, obj: Place, form: Any, change: bool) -> None:
        # Writes go through the actions so that paths, permissions and the audit trail stay right.
        if change:
            data = {
                k: form.cleaned_data[k]
                for k in form.changed_data
                if k in {"name", "households", "contact_phone", "geometry", "parent"}
            }
            updated = actions.update_place(request.user, obj, **data)
            obj.pk, obj.path = updated.pk, updated.path
        else:
            created = actions.create_place(
                request.user,
                code=obj.code,
                name=obj.name,
                level=obj.level,
                parent=obj.parent,
                geometry=obj.geometry,
                households=obj.households,
                contact_phone=obj.contact_phone,
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # places are retired with is_active, never deleted: cases keep pointing at them
