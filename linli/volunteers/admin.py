"""The skills catalogue in the Django admin (district command keeps it; catalogue_rule). Everything else is
written through the actions from the pages."""

from __future__ import annotations

from django.contrib import admin

from .models import Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin[Skill]):
    list_display = ("name", "description")
    search_fields = ("name",)
