from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("matters/", views.matters, name="matters"),
    path("matters/export/", views.matters_export, name="matters_export"),
    path("matters/import/", views.matters_import, name="matters_import"),
    path("units/", views.units, name="units"),
    path("units/import/", views.units_import, name="units_import"),
    path("responsibility/", views.responsibility, name="responsibility"),
]
