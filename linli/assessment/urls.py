"""/assessment/: figures, the cases behind them, rankings and the scheme (namespace "assessment"). Other
parts of the app keep their own url modules, one include line each."""

from django.urls import include, path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:pk>/", views.unit_page, name="unit"),
    path("units/<int:pk>/cases/", views.unit_cases, name="cases"),
    path("ranking/", views.ranking, name="ranking"),
    path("scheme/", views.scheme, name="scheme"),
    path("", include("linli.assessment.urls_reverse")),
    path("dashboards/", include("linli.assessment.urls_dashboards")),
]
