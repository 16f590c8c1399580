from django.urls import path

from . import intake_views as views

app_name = "intake"
urlpatterns = [
    path("", views.report, name="report"),
    path("places/", views.places, name="places"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/caller/", views.caller, name="caller"),
    path("hotline/duplicates/", views.duplicates, name="duplicates"),
    path("found/", views.found, name="found"),
    path("import/", views.import_view, name="import"),
    path("import/template/", views.import_template, name="import_template"),
]
