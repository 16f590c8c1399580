"""The library in the Django admin: read-only lists (every write goes through linli.resources.actions)."""

from django.contrib import admin

from .models import Booking, Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "place", "last_confirmed_at", "retired_at")
    list_filter = ("kind",)
    search_fields = ("name",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Booking)
class BookingAdmin(ResourceAdmin):
    list_display = ("resource", "starts_at", "ends_at", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("purpose",)
