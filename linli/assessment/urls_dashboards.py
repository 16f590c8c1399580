"""/assessment/dashboards/: the dashboards per level (linli.assessment.views_dashboards)."""

from django.urls import path

from . import views_dashboards as views

urlpatterns = [
    path("", views.mine, name="dashboard_mine"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/areas.geojson", views.areas, name="dashboard_areas"),
    path("<int:pk>/trend/", views.trend, name="dashboard_trend"),
    path("<int:pk>/recurring/", views.recurring_problems, name="dashboard_recurring"),
    path("<int:pk>/forecast/", views.demand_forecast, name="dashboard_forecast"),
    path("<int:pk>/export.xlsx", views.export, name="dashboard_export"),
]
