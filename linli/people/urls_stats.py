"""/people/statistics/: the registry's anonymous counts (linli.people.statistics)."""

from django.urls import path

from . import views_stats

urlpatterns = [
    path("", views_stats.statistics_page, name="statistics"),
    path("export/", views_stats.statistics_export, name="statistics_export"),
]
